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
