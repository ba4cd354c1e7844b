// Full-text search over the weighted vector (title A, long summary B, transcript text C). The page of ids
// is found first from a bounded set of candidates; the long texts are read for that page alone, to cut
// snippets from.
import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import type { UserInfo } from '../auth/policy.ts';
import { visibleTranscriptsCondition } from '../auth/visibility.ts';
import { transcripts } from '../db/schema.ts';
import { buildSnippets } from './snippets.ts';

export interface SearchParams {
  q: string;
  limit: number;
  offset: number;
  room_id?: string;
  source_kind?: 'room' | 'live' | 'file';
  from?: Date;
  to?: Date;
}

interface PageRow {
  id: string;
  title: string | null;
  name: string;
  user_id: string | null;
  room_id: string | null;
  room_name: string | null;
  source_kind: 'room' | 'live' | 'file';
  created_at: Date | string;
  status: 'idle' | 'uploaded' | 'recording' | 'processing' | 'error' | 'ended';
  rank: number;
  duration: number | null;
  change_seq: number | null;
  long_summary: string | null;
  transcript_text: string | null;
}

type Ctx = Pick<AppContext, 'database' | 'config'>;

async function rows<T>(ctx: Ctx, query: SQL): Promise<T[]> {
  const result = (await ctx.database.db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * With a query, ranking looks at the SEARCH_CANDIDATES most recent matches: ranking every match of a word
 * found in half of 100 000 transcripts would read all of them on each request. Within that window the
 * order is by weighted relevance, so a title match still comes before a transcript-text match. `total`
 * counts the same window; it is exact whenever fewer transcripts match.
 */
export const SEARCH_CANDIDATES = 500;

const OUTPUT_COLUMNS = sql`t.id, t.title, t.name, t.user_id, t.room_id,
  CASE WHEN t.room_id IS NULL THEN NULL ELSE coalesce(r.name, 'Deleted Room') END AS room_name,
  t.source_kind, t.created_at, t.status, page.rank::float8 AS rank, t.duration, t.change_seq,
  t.long_summary, t.transcript_text`;

export async function searchTranscripts(ctx: Ctx, user: UserInfo | null, p: SearchParams) {
  const text = p.q.trim();
  const conditions: SQL[] = [visibleTranscriptsCondition(user, ctx.config)];
  if (p.room_id) conditions.push(sql`${transcripts.roomId} = ${p.room_id}`);
  if (p.source_kind) conditions.push(sql`${transcripts.sourceKind} = ${p.source_kind}`);
  if (p.from) conditions.push(sql`${transcripts.createdAt} >= ${p.from.toISOString()}::timestamptz`);
  if (p.to) conditions.push(sql`${transcripts.createdAt} <= ${p.to.toISOString()}::timestamptz`);
  const where = sql.join(conditions, sql` AND `);

  let page: PageRow[];
  let total: number;
  if (!text) {
    const pageQuery = sql`
      WITH page AS (
        SELECT ${transcripts.id} AS id, 1.0 AS rank, ${transcripts.createdAt} AS created_at FROM ${transcripts}
        WHERE ${where} ORDER BY ${transcripts.createdAt} DESC, ${transcripts.id} DESC LIMIT ${p.limit} OFFSET ${p.offset}
      )
      SELECT ${OUTPUT_COLUMNS}
      FROM page JOIN transcript t ON t.id = page.id LEFT JOIN room r ON r.id = t.room_id
      ORDER BY page.created_at DESC, page.id DESC`;
    const countQuery = sql`SELECT count(*)::int AS total FROM ${transcripts} WHERE ${where}`;
    const [rowsOut, [counted]] = await Promise.all([rows<PageRow>(ctx, pageQuery), rows<{ total: number }>(ctx, countQuery)]);
    page = rowsOut;
    total = Number(counted.total);
  } else {
    const tsquery = sql`websearch_to_tsquery('english', ${text})`;
    const query = sql`
      WITH matches AS MATERIALIZED (
        SELECT ${transcripts.id} AS id, ${transcripts.createdAt} AS created_at,
               ts_rank(${transcripts}.search_vector_en, ${tsquery}, 32) AS rank
        FROM ${transcripts} WHERE ${where} AND ${transcripts}.search_vector_en @@ ${tsquery}
        ORDER BY ${transcripts.createdAt} DESC LIMIT ${SEARCH_CANDIDATES}
      ),
      page AS (SELECT * FROM matches ORDER BY rank DESC, created_at DESC, id LIMIT ${p.limit} OFFSET ${p.offset})
      SELECT ${OUTPUT_COLUMNS}, (SELECT count(*)::int FROM matches) AS total
      FROM (SELECT 1) one
      LEFT JOIN page ON true LEFT JOIN transcript t ON t.id = page.id LEFT JOIN room r ON r.id = t.room_id
      ORDER BY page.rank DESC, page.created_at DESC, page.id`;
    const out = await rows<PageRow & { total: number }>(ctx, query);
    total = Number(out[0]?.total ?? 0);
    page = out.filter((r) => r.id !== null);
  }

  const results = page.map((r) => {
    const { snippets, totalMatchCount } = text ? buildSnippets(text, r.long_summary, r.transcript_text) : { snippets: [], totalMatchCount: 0 };
    return {
      id: r.id,
      title: r.title,
      name: r.name,
      user_id: r.user_id,
      room_id: r.room_id,
      room_name: r.room_name,
      source_kind: r.source_kind,
      created_at: new Date(r.created_at).toISOString(),
      status: r.status,
      rank: Number(r.rank),
      duration: r.duration,
      search_snippets: snippets,
      total_match_count: totalMatchCount,
      change_seq: r.change_seq === null ? null : Number(r.change_seq),
    };
  });
  return { results, total };
}
