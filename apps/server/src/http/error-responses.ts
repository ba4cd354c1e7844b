// Error bodies as the OpenAPI document describes them: {"detail": "..."} for refusals, a list naming the
// offending fields for validation errors (422).
import { z } from 'zod';

export const ErrorOut = z.object({ detail: z.string() }).describe('The reason, for people');

export const ValidationErrorOut = z
  .object({
    detail: z.array(
      z.looseObject({
        loc: z.array(z.union([z.string(), z.number()])).describe('where: body, querystring or params, then the field path'),
        msg: z.string(),
        type: z.string(),
        field: z.string().optional(),
      }),
    ),
  })
  .describe('Validation failed; each entry names a field');

/** Responses of the given error statuses, for a route's `response` schema. */
export function errorResponses<const S extends 400 | 401 | 403 | 404 | 409 | 413 | 416 | 429 | 503>(...statuses: S[]) {
  const out = {} as Record<S, typeof ErrorOut> & { 422: typeof ValidationErrorOut };
  for (const s of statuses) (out as Record<number, unknown>)[s] = ErrorOut;
  out[422] = ValidationErrorOut;
  return out;
}
