// GET /v1/transcripts/search: full-text search over title, long summary and transcript text, ranked by
// weighted relevance, with snippets showing where the words occur. Same visibility as the list.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assertCanList, currentUser } from '../auth/policy.ts';
import { badRequest } from '../errors.ts';
import { SourceKind, Status } from '../transcripts/repository.ts';
import { searchTranscripts } from '../transcripts/search.ts';

const TZ_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/** An ISO 8601 date-time that says which timezone it is in; a naive one is ambiguous and refused. */
const AwareDateTime = z
  .string()
  .refine((v) => TZ_DATETIME.test(v.trim()) && !Number.isNaN(Date.parse(normalizeOffset(v))), {
    message: 'must be an ISO 8601 date-time with a timezone, such as 2024-05-01T09:00:00Z or 2024-05-01T09:00:00+02:00',
  })
  .transform((v) => new Date(normalizeOffset(v)));

function normalizeOffset(v: string): string {
  return v
    .trim()
    .replace(' ', 'T')
    .replace(/([+-]\d{2})(\d{2})$/, '$1:$2')
    .replace(/([+-]\d{2})$/, '$1:00');
}

export const SearchQuery = z.object({
  q: z.string().max(1000).describe('web-search syntax ("exact phrase", -excluded, or); empty lists everything visible'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
  room_id: z.string().optional(),
  source_kind: SourceKind.optional(),
  from: AwareDateTime.optional().describe('created at or after'),
  to: AwareDateTime.optional().describe('created at or before'),
});

export const SearchResult = z.object({
  id: z.string(),
  title: z.string().nullable(),
  name: z.string(),
  user_id: z.string().nullable(),
  room_id: z.string().nullable(),
  room_name: z.string().nullable(),
  source_kind: SourceKind,
  created_at: z.string(),
  status: Status,
  rank: z.number().describe('relevance between 0 and 1; 1 without a query'),
  duration: z.number().nullable().describe('milliseconds'),
  search_snippets: z.array(z.string()),
  total_match_count: z.number().int(),
  change_seq: z.number().nullable(),
});

export const SearchResponse = z.object({
  results: z.array(SearchResult),
  total: z.number().int(),
  query: z.string(),
  limit: z.number().int(),
  offset: z.number().int(),
});

export const searchRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  app.get(
    '/v1/transcripts/search',
    {
      schema: {
        tags: ['transcripts'],
        operationId: 'v1_transcripts_search',
        summary: 'Search transcripts',
        querystring: SearchQuery,
        response: { 200: SearchResponse },
      },
    },
    async (request) => {
      const user = currentUser(request);
      assertCanList(ctx.config, user);
      const q = request.query;
      if (q.from && q.to && q.from.getTime() > q.to.getTime()) throw badRequest("'from' must be less than or equal to 'to'");
      const { results, total } = await searchTranscripts(ctx, user, q);
      return { results, total, query: q.q, limit: q.limit, offset: q.offset };
    },
  );
};
