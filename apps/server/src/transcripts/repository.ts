// Reading and writing transcripts, and their API representation.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { assertCanRead, type UserInfo } from '../auth/policy.ts';
import { notFound } from '../errors.ts';
import { rooms, transcripts, type TranscriptRow } from '../db/schema.ts';

type Ctx = Pick<AppContext, 'database'>;

export const SourceKind = z.enum(['room', 'live', 'file']);
export const ShareMode = z.enum(['private', 'semi-private', 'public']);
export const Status = z.enum(['idle', 'uploaded', 'recording', 'processing', 'error', 'ended']);

export const ParticipantOut = z.object({
  id: z.string(),
  speaker: z.number().int().nullable(),
  name: z.string(),
  user_id: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
});

export const ActionItemsOut = z
  .object({
    decisions: z.array(z.record(z.string(), z.unknown())),
    next_steps: z.array(z.record(z.string(), z.unknown())),
  })
  .nullable();

export const TranscriptMinimal = z.object({
  id: z.string(),
  user_id: z.string().nullable(),
  name: z.string(),
  status: Status,
  locked: z.boolean(),
  duration: z.number().describe('milliseconds'),
  title: z.string().nullable(),
  short_summary: z.string().nullable(),
  long_summary: z.string().nullable(),
  action_items: ActionItemsOut,
  created_at: z.string(),
  share_mode: ShareMode,
  source_language: z.string(),
  target_language: z.string(),
  reviewed: z.boolean(),
  meeting_id: z.string().nullable(),
  source_kind: SourceKind,
  room_id: z.string().nullable(),
  room_name: z.string().nullable(),
  audio_deleted: z.boolean(),
  error: z.string().nullable(),
  change_seq: z.number().nullable(),
});

export const TranscriptWithParticipants = TranscriptMinimal.extend({ participants: z.array(ParticipantOut) });

export type TranscriptMinimalT = z.infer<typeof TranscriptMinimal>;

/** The columns the list and the minimal representation need: no topics, events or WebVTT. */
export const minimalColumns = {
  id: transcripts.id,
  userId: transcripts.userId,
  name: transcripts.name,
  status: transcripts.status,
  locked: transcripts.locked,
  duration: transcripts.duration,
  title: transcripts.title,
  shortSummary: transcripts.shortSummary,
  longSummary: transcripts.longSummary,
  actionItems: transcripts.actionItems,
  createdAt: transcripts.createdAt,
  shareMode: transcripts.shareMode,
  sourceLanguage: transcripts.sourceLanguage,
  targetLanguage: transcripts.targetLanguage,
  reviewed: transcripts.reviewed,
  meetingId: transcripts.meetingId,
  sourceKind: transcripts.sourceKind,
  roomId: transcripts.roomId,
  audioDeleted: transcripts.audioDeleted,
  error: transcripts.error,
  changeSeq: transcripts.changeSeq,
};
export type MinimalRow = Pick<TranscriptRow, keyof typeof minimalColumns>;

export function toMinimal(row: MinimalRow, roomName: string | null = null): TranscriptMinimalT {
  return {
    id: row.id,
    user_id: row.userId,
    name: row.name,
    status: row.status as TranscriptMinimalT['status'],
    locked: row.locked,
    duration: row.duration,
    title: row.title,
    short_summary: row.shortSummary,
    long_summary: row.longSummary,
    action_items: (row.actionItems as TranscriptMinimalT['action_items']) ?? null,
    created_at: row.createdAt.toISOString(),
    share_mode: row.shareMode as TranscriptMinimalT['share_mode'],
    source_language: row.sourceLanguage,
    target_language: row.targetLanguage,
    reviewed: row.reviewed,
    meeting_id: row.meetingId,
    source_kind: row.sourceKind as TranscriptMinimalT['source_kind'],
    room_id: row.roomId,
    room_name: roomName,
    audio_deleted: row.audioDeleted,
    error: row.error,
    change_seq: row.changeSeq ?? null,
  };
}

export function withParticipants(row: TranscriptRow, roomName: string | null = null) {
  return {
    ...toMinimal(row, roomName),
    participants: row.participants.map((p) => ({ id: p.id, speaker: p.speaker ?? null, name: p.name, user_id: p.user_id ?? null })),
  };
}

export function defaultName(now = new Date()): string {
  return `Transcript ${now.toISOString().slice(0, 19).replace('T', ' ')}`;
}

export async function createTranscript(
  ctx: Ctx,
  input: {
    name?: string | null;
    source_language?: string;
    target_language?: string;
    source_kind?: 'room' | 'live' | 'file';
    user_id?: string | null;
    share_mode?: 'private' | 'semi-private' | 'public';
    room_id?: string | null;
  },
): Promise<TranscriptRow> {
  const [row] = await ctx.database.db
    .insert(transcripts)
    .values({
      id: randomUUID(),
      name: input.name?.trim() || defaultName(),
      sourceLanguage: input.source_language ?? 'en',
      targetLanguage: input.target_language ?? 'en',
      sourceKind: input.source_kind ?? 'live',
      userId: input.user_id ?? null,
      shareMode: input.share_mode ?? 'private',
      roomId: input.room_id ?? null,
    })
    .returning();
  return row;
}

export async function findTranscript(ctx: Ctx, id: string): Promise<TranscriptRow | null> {
  const [row] = await ctx.database.db.select().from(transcripts).where(eq(transcripts.id, id)).limit(1);
  return row ?? null;
}

/** The transcript if it exists and the caller may read it: 404 and 403 otherwise. */
export async function getReadableTranscript(ctx: Ctx, id: string, user: UserInfo | null): Promise<TranscriptRow> {
  const row = await findTranscript(ctx, id);
  if (!row) throw notFound('Transcript not found');
  let sharedRoom = false;
  if (row.roomId && user) {
    const [room] = await ctx.database.db.select({ isShared: rooms.isShared }).from(rooms).where(eq(rooms.id, row.roomId)).limit(1);
    sharedRoom = !!room?.isShared;
  }
  assertCanRead(user, { user_id: row.userId, share_mode: row.shareMode }, sharedRoom);
  return row;
}

export async function roomNameOf(ctx: Ctx, roomId: string | null): Promise<string | null> {
  if (!roomId) return null;
  const [room] = await ctx.database.db.select({ name: rooms.name }).from(rooms).where(eq(rooms.id, roomId)).limit(1);
  return room?.name ?? null;
}
