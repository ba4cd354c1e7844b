// Transcript events: stored in the transcript's event log (replayed to late WebSocket clients) and
// broadcast on "ts:<id>"; status, title and duration are mirrored to the owner's "user:<id>" channel.
import type { AppContext } from '../context.ts';

export type TranscriptEventName =
  | 'TRANSCRIPT'
  | 'TOPIC'
  | 'STATUS'
  | 'FINAL_TITLE'
  | 'FINAL_LONG_SUMMARY'
  | 'FINAL_SHORT_SUMMARY'
  | 'ACTION_ITEMS'
  | 'DURATION'
  | 'WAVEFORM'
  | 'PROGRESS';

/** Events never stored: they only make sense live. */
const EPHEMERAL: ReadonlySet<TranscriptEventName> = new Set(['PROGRESS']);
const MIRRORED: Partial<Record<TranscriptEventName, string>> = {
  STATUS: 'TRANSCRIPT_STATUS',
  FINAL_TITLE: 'TRANSCRIPT_FINAL_TITLE',
  DURATION: 'TRANSCRIPT_DURATION',
};

export const transcriptChannel = (id: string) => `ts:${id}`;
export const userChannel = (id: string) => `user:${id}`;

export async function emitTranscriptEvent(
  ctx: Pick<AppContext, 'database' | 'events'>,
  transcriptId: string,
  event: TranscriptEventName,
  data: Record<string, unknown>,
): Promise<void> {
  if (EPHEMERAL.has(event)) {
    // Live-only and never mirrored: nothing to store or look up.
    await ctx.events.publish(transcriptChannel(transcriptId), { event, data });
    return;
  }
  const rows = await ctx.database.query<{ user_id: string | null }>(
    'UPDATE transcript SET events = events || $2::jsonb WHERE id = $1 RETURNING user_id',
    [transcriptId, JSON.stringify([{ event, data }])],
  );
  if (!rows.length) return; // deleted meanwhile
  const owner = rows[0].user_id;
  await ctx.events.publish(transcriptChannel(transcriptId), { event, data });
  const mirrored = MIRRORED[event];
  if (owner && mirrored) await ctx.events.publish(userChannel(owner), { event: mirrored, data: { id: transcriptId, ...data } });
}

export async function publishUserEvent(ctx: Pick<AppContext, 'events'>, userId: string | null, event: string, data: Record<string, unknown>) {
  if (userId) await ctx.events.publish(userChannel(userId), { event, data });
}

/** Sets the status and emits STATUS when it changed. */
export async function setTranscriptStatus(
  ctx: Pick<AppContext, 'database' | 'events'>,
  transcriptId: string,
  status: 'idle' | 'uploaded' | 'recording' | 'processing' | 'error' | 'ended',
  error: string | null = null,
): Promise<void> {
  const rows = await ctx.database.query<{ changed: boolean }>(
    `UPDATE transcript t SET status = $2, error = $3 FROM (SELECT status AS old FROM transcript WHERE id = $1 FOR UPDATE) o
     WHERE t.id = $1 RETURNING (o.old IS DISTINCT FROM $2) AS changed`,
    [transcriptId, status, error],
  );
  if (rows[0]?.changed) await emitTranscriptEvent(ctx, transcriptId, 'STATUS', { value: status, ...(error ? { error } : {}) });
}
