// Which transcripts appear in lists and search results, as one SQL condition shared by every query that
// returns many transcripts. Callers check assertCanList (policy.ts) first; reading one transcript follows
// canRead. Anonymous callers in public mode see anonymous and public transcripts, never private ones; a
// signed-in user sees their own transcripts and those of shared rooms.
import { eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Config } from '../config.ts';
import { rooms, transcripts } from '../db/schema.ts';
import type { UserInfo } from './policy.ts';

/** Drizzle condition over the `transcript` table. */
export function visibleTranscriptsCondition(user: UserInfo | null, config: Pick<Config, 'PUBLIC_MODE'>): SQL {
  if (!user) {
    // assertCanList refuses anonymous callers outside public mode; match nothing should it be skipped.
    if (!config.PUBLIC_MODE) return sql`false`;
    return or(isNull(transcripts.userId), eq(transcripts.shareMode, 'public'))!;
  }
  return sql`(${transcripts.userId} = ${user.sub} OR ${transcripts.roomId} IN (SELECT ${rooms.id} FROM ${rooms} WHERE ${rooms.isShared}))`;
}

/**
 * The same condition as raw SQL for hand-written queries: `alias` is how the query names the transcript
 * table, `firstParam` the number of the first $n placeholder this fragment may use.
 */
export function visibleTranscriptsSql(
  user: UserInfo | null,
  config: Pick<Config, 'PUBLIC_MODE'>,
  alias = 'transcript',
  firstParam = 1,
): { text: string; params: unknown[] } {
  if (!user) {
    if (!config.PUBLIC_MODE) return { text: 'false', params: [] };
    return { text: `(${alias}.user_id IS NULL OR ${alias}.share_mode = 'public')`, params: [] };
  }
  return {
    text: `(${alias}.user_id = $${firstParam} OR ${alias}.room_id IN (SELECT id FROM room WHERE is_shared))`,
    params: [user.sub],
  };
}
