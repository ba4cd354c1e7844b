// Retention of public-mode data: anonymous transcripts older than PUBLIC_DATA_RETENTION_DAYS are deleted
// with their meeting, recording and stored files. One transcript that cannot be removed is reported in
// the stats and retried on the next run; it never stops the others.
import { rm } from 'node:fs/promises';
import type { AppContext } from '../context.ts';
import { uploadChunksDir, workDir } from '../transcripts/files.ts';

export interface CleanupStats {
  transcripts_deleted: number;
  meetings_deleted: number;
  recordings_deleted: number;
  errors: Array<{ transcript_id: string; error: string }>;
}

type Ctx = Pick<AppContext, 'config' | 'database' | 'storage' | 'log'>;

export async function cleanupPublicData(ctx: Ctx, opts: { days?: number; now?: Date } = {}): Promise<CleanupStats> {
  const stats: CleanupStats = { transcripts_deleted: 0, meetings_deleted: 0, recordings_deleted: 0, errors: [] };
  if (!ctx.config.PUBLIC_MODE) return stats;
  const days = opts.days ?? ctx.config.PUBLIC_DATA_RETENTION_DAYS;
  const cutoff = new Date((opts.now ?? new Date()).getTime() - days * 24 * 3600 * 1000);
  const rows = await ctx.database.query<{ id: string; meeting_id: string | null; recording_id: string | null }>(
    'SELECT id, meeting_id, recording_id FROM transcript WHERE user_id IS NULL AND created_at < $1 ORDER BY created_at',
    [cutoff.toISOString()],
  );
  for (const row of rows) {
    try {
      await removeTranscript(ctx, row, stats);
      stats.transcripts_deleted++;
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      stats.errors.push({ transcript_id: row.id, error });
      ctx.log.warn({ err, transcriptId: row.id }, 'could not remove an old public transcript');
    }
  }
  ctx.log.info({ ...stats, errors: stats.errors.length, cutoff: cutoff.toISOString() }, 'public data cleanup finished');
  return stats;
}

async function removeTranscript(
  ctx: Ctx,
  row: { id: string; meeting_id: string | null; recording_id: string | null },
  stats: CleanupStats,
): Promise<void> {
  // Files first: if they cannot be removed, the row stays and the next run tries again.
  await ctx.storage.deletePrefix(`${row.id}/`);
  await Promise.all([uploadChunksDir(ctx.config, row.id), workDir(ctx.config, row.id)].map((dir) => rm(dir, { recursive: true, force: true })));

  let recording: { id: string; object_key: string; track_keys: string[] | null } | undefined;
  if (row.recording_id) {
    [recording] = await ctx.database.query<{ id: string; object_key: string; track_keys: string[] | null }>(
      'SELECT id, object_key, track_keys FROM recording WHERE id = $1',
      [row.recording_id],
    );
    for (const key of [recording?.object_key, ...(recording?.track_keys ?? [])].filter((k): k is string => !!k)) {
      // The recording may live in another bucket (e.g. the video platform's): report, keep going.
      await ctx.storage.delete(key).catch((err) => ctx.log.warn({ err, key, transcriptId: row.id }, 'could not delete a recording object'));
    }
  }

  // One statement, so the three rows go together or not at all (an explicit transaction would not be
  // isolated on the embedded database, whose single connection other requests share).
  const [counts] = await ctx.database.query<{ meetings: number; recordings: number }>(
    `WITH m AS (DELETE FROM meeting WHERE id = $2 RETURNING id),
          r AS (DELETE FROM recording WHERE id = $3 RETURNING id),
          t AS (DELETE FROM transcript WHERE id = $1 RETURNING id)
     SELECT (SELECT count(*) FROM m)::int AS meetings, (SELECT count(*) FROM r)::int AS recordings, (SELECT count(*) FROM t)::int AS transcripts`,
    [row.id, row.meeting_id, recording?.id ?? null],
  );
  stats.meetings_deleted += counts?.meetings ?? 0;
  stats.recordings_deleted += counts?.recordings ?? 0;
}
