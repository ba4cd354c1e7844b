// The typed API client. Request and response types come from schema.d.ts, generated from the server's
// OpenAPI document (`npm run gen:api`). Same origin by default; VITE_API_URL points a separately hosted
// build (the web container on port 3000) at the API.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { getToken } from './session.ts';

export const API_BASE = (import.meta.env.VITE_API_URL as string | undefined)?.replace(/\/+$/, '') ?? '';

const auth: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: API_BASE || window.location.origin });
api.use(auth);

/** An API refusal, carrying the server's explanation in words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const STATUS_WORDS: Record<number, string> = {
  401: 'You need to sign in to do this.',
  403: 'You are not allowed to do this.',
  404: 'Not found.',
  413: 'The file is too large.',
  422: 'The request was not valid.',
  429: 'Too many attempts; wait a moment and try again.',
  500: 'The server failed; try again later.',
  502: 'The server cannot be reached.',
  503: 'The server is unavailable; try again later.',
};

/** Turns an error body (`{detail}` as a string or a validation list) into one sentence. */
export function describeError(status: number, body: unknown): string {
  const detail = (body as { detail?: unknown } | null)?.detail;
  let text = '';
  if (typeof detail === 'string') text = detail;
  else if (Array.isArray(detail)) {
    text = detail
      .map((d: { msg?: string; field?: string; loc?: unknown[] }) => {
        const field = d.field ?? (Array.isArray(d.loc) ? d.loc.filter((x) => x !== 'body').join('.') : '');
        return field ? `${field}: ${d.msg ?? 'invalid'}` : (d.msg ?? 'invalid');
      })
      .join('; ');
  }
  const general = STATUS_WORDS[status] ?? `The server answered ${status}.`;
  if (!text) return general;
  return status === 401 ? `${text}: ${general.charAt(0).toLowerCase()}${general.slice(1, -1)} (401)` : `${text} (${status})`;
}

/** Unwraps an openapi-fetch result: the data, or an ApiError with the server's words. */
export async function unwrap<T>(promise: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await promise;
  } catch (err) {
    throw new ApiError(0, `Cannot reach the server: ${(err as Error).message}`);
  }
  if (!result.response.ok) throw new ApiError(result.response.status, describeError(result.response.status, result.error));
  return result.data as T;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Absolute URL of an API path, for media elements, downloads and WebSockets. */
export function apiUrl(path: string): string {
  return `${API_BASE || window.location.origin}${path}`;
}
