// Changing and deleting transcripts. Access is decided by the policy module on the locked row.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { assertCanMutate, type UserInfo } from '../auth/policy.ts';
import { recordings, transcripts, type Participant, type TranscriptRow } from '../db/schema.ts';
import { badRequest, notFound } from '../errors.ts';
import { publishUserEvent } from '../events/transcript-events.ts';
import { mutateTranscript } from './content.ts';
import { uploadChunksDir, workDir } from './files.ts';
import { findTranscript, ShareMode } from './repository.ts';

export const ParticipantIn = z.object({
  id: z.string().min(1).optional().describe('kept when given, generated otherwise'),
  speaker: z.number().int().min(0).nullable().default(null),
  name: z.string(),
  user_id: z.string().nullable().optional(),
});

export const TranscriptPatch = z.object({
  name: z.string().optional(),
  locked: z.boolean().optional(),
  title: z.string().nullable().optional(),
  short_summary: z.string().nullable().optional(),
  long_summary: z.string().nullable().optional(),
  share_mode: ShareMode.optional(),
  participants: z.array(ParticipantIn).optional(),
  reviewed: z.boolean().optional(),
  audio_deleted: z.boolean().optional(),
});
export type TranscriptPatchT = z.infer<typeof TranscriptPatch>;

/** Fields that processing generates; once a person edits them, reprocessing keeps the edit. */
const GENERATED_FIELDS = ['title', 'short_summary', 'long_summary', 'participants'] as const;

function participantsFrom(input: z.infer<typeof ParticipantIn>[]): Participant[] {
  const ids = new Set<string>();
  const speakers = new Set<number>();
  return input.map((p) => {
    const id = p.id ?? randomUUID();
    if (ids.has(id)) throw badRequest(`Participant id ${id} is listed twice`);
    ids.add(id);
    if (p.speaker !== null) {
      if (speakers.has(p.speaker)) throw badRequest('Speaker already assigned');
      speakers.add(p.speaker);
    }
    return { id, speaker: p.speaker, name: p.name, user_id: p.user_id ?? null };
  });
}

/** Applies only the keys present in `patch`. */
export async function updateTranscript(ctx: Pick<AppContext, 'database'>, id: string, user: UserInfo | null, patch: TranscriptPatchT): Promise<TranscriptRow> {
  await mutateTranscript(ctx, id, (row) => {
    assertCanMutate(user, { user_id: row.userId, share_mode: row.shareMode, room_id: row.roomId });
    const changes: Partial<typeof transcripts.$inferInsert> = {};
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.locked !== undefined) changes.locked = patch.locked;
    if (patch.title !== undefined) changes.title = patch.title;
    if (patch.short_summary !== undefined) changes.shortSummary = patch.short_summary;
    if (patch.long_summary !== undefined) changes.longSummary = patch.long_summary;
    if (patch.share_mode !== undefined) changes.shareMode = patch.share_mode;
    if (patch.participants !== undefined) changes.participants = participantsFrom(patch.participants);
    if (patch.reviewed !== undefined) changes.reviewed = patch.reviewed;
    if (patch.audio_deleted !== undefined) changes.audioDeleted = patch.audio_deleted;
    const edited = GENERATED_FIELDS.filter((f) => patch[f] !== undefined && !row.editedFields.includes(f));
    if (edited.length) changes.editedFields = [...row.editedFields, ...edited];
    return { changes, result: null };
  });
  // Read back for the new change_seq; a concurrent delete between the two is a 404 like any other.
  const row = await findTranscript(ctx, id);
  if (!row) throw notFound('Transcript not found');
  return row;
}

/**
 * Deletes the transcript with everything stored for it: objects under "<id>/", local upload and work
 * directories, and its recording (row and objects). The owner's other sessions hear TRANSCRIPT_DELETED.
 */
export async function deleteTranscript(ctx: AppContext, id: string, user: UserInfo | null): Promise<void> {
  const row = await findTranscript(ctx, id);
  if (!row) throw notFound('Transcript not found');
  assertCanMutate(user, { user_id: row.userId, share_mode: row.shareMode, room_id: row.roomId });

  await ctx.storage.deletePrefix(`${id}/`);
  await Promise.all([uploadChunksDir(ctx.config, id), workDir(ctx.config, id)].map((dir) => rm(dir, { recursive: true, force: true })));
  if (row.recordingId) {
    const [rec] = await ctx.database.db.select().from(recordings).where(eq(recordings.id, row.recordingId)).limit(1);
    if (rec) {
      const keys = [rec.objectKey, ...(rec.trackKeys ?? [])].filter(Boolean);
      for (const key of keys) {
        await ctx.storage.delete(key).catch((err) => ctx.log.warn({ err, key, transcriptId: id }, 'could not delete recording object'));
      }
      await ctx.database.db.delete(recordings).where(eq(recordings.id, rec.id));
    }
  }
  await ctx.database.db.delete(transcripts).where(eq(transcripts.id, id));
  await publishUserEvent(ctx, row.userId, 'TRANSCRIPT_DELETED', { id });
}
