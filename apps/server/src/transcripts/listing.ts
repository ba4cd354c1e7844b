// The transcript list: visibility, filters, incremental sync by change_seq, and pagination. Reads only the
// light columns so a page stays fast however long the transcripts are.
import { and, asc, count, desc, eq, gt, ilike, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { visibleTranscriptsCondition } from '../auth/visibility.ts';
import type { UserInfo } from '../auth/policy.ts';
import { rooms, transcripts } from '../db/schema.ts';
import { minimalColumns, SourceKind, toMinimal, TranscriptMinimal } from './repository.ts';

export const ListQuery = z.object({
  page: z.coerce.number().int().min(1).default(1).describe('1-based page number'),
  size: z.coerce.number().int().min(1).max(100).default(50).describe('items per page, at most 100'),
  source_kind: SourceKind.optional(),
  room_id: z.string().optional(),
  search_term: z.string().optional().describe('case-insensitive match on title or name'),
  change_seq_from: z.coerce.number().int().min(0).optional().describe('only transcripts changed after this change_seq'),
  sort_by: z.enum(['created_at', 'change_seq']).default('created_at').describe('created_at: newest first; change_seq: ascending'),
});
export type ListQueryT = z.infer<typeof ListQuery>;

export const TranscriptPage = z.object({
  items: z.array(TranscriptMinimal),
  total: z.number().int(),
  page: z.number().int(),
  size: z.number().int(),
  pages: z.number().int(),
});

const likePattern = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listTranscripts(ctx: Pick<AppContext, 'database' | 'config'>, user: UserInfo | null, q: ListQueryT) {
  const conditions: SQL[] = [visibleTranscriptsCondition(user, ctx.config)];
  if (q.source_kind) conditions.push(eq(transcripts.sourceKind, q.source_kind));
  if (q.room_id) conditions.push(eq(transcripts.roomId, q.room_id));
  if (q.change_seq_from !== undefined) conditions.push(gt(transcripts.changeSeq, q.change_seq_from));
  const term = q.search_term?.trim();
  if (term) conditions.push(or(ilike(transcripts.title, likePattern(term)), ilike(transcripts.name, likePattern(term)))!);
  const where = and(...conditions);
  const order = q.sort_by === 'change_seq' ? [asc(transcripts.changeSeq)] : [desc(transcripts.createdAt), desc(transcripts.id)];

  const db = ctx.database.db;
  const [rows, [{ total }]] = await Promise.all([
    db
      .select({ ...minimalColumns, roomName: rooms.name })
      .from(transcripts)
      .leftJoin(rooms, eq(rooms.id, transcripts.roomId))
      .where(where)
      .orderBy(...order)
      .limit(q.size)
      .offset((q.page - 1) * q.size),
    db.select({ total: count() }).from(transcripts).where(where),
  ]);
  return {
    items: rows.map(({ roomName, ...row }) => toMinimal(row, roomName ?? null)),
    total,
    page: q.page,
    size: q.size,
    pages: Math.ceil(total / q.size),
  };
}
