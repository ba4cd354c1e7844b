// One transcript as the API shows it: the minimal fields, participants (with e-mail when they are users),
// the room name, and the transcript text in the requested format.
import { eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { recordings, users, type Participant, type TranscriptRow } from '../db/schema.ts';
import { renderTranscript, type TranscriptFormat } from './formats.ts';
import { ParticipantOut, roomNameOf, toMinimal, TranscriptWithParticipants } from './repository.ts';

type Ctx = Pick<AppContext, 'database'>;

export const JsonSegmentOut = z.object({
  speaker: z.number().int(),
  speaker_name: z.string(),
  text: z.string(),
  start: z.number().describe('seconds'),
  end: z.number().describe('seconds'),
});

const textVariant = <F extends Exclude<TranscriptFormat, 'json'>>(format: F, description: string) =>
  TranscriptWithParticipants.extend({ transcript_format: z.literal(format), transcript: z.string().describe(description) });

export const TranscriptDetail = z.discriminatedUnion('transcript_format', [
  textVariant('text', 'one "Name: text" line per segment'),
  textVariant('text-timestamped', 'one "[MM:SS] Name: text" line per segment'),
  textVariant('webvtt-named', 'WebVTT document with <v Name> voice tags'),
  textVariant('srt', 'SubRip subtitles, "Name: text" cues'),
  textVariant('markdown', 'Markdown document: title, summary, topic sections with timed speaker lines'),
  TranscriptWithParticipants.extend({ transcript_format: z.literal('json'), transcript: z.array(JsonSegmentOut) }),
]);

/** A transcript is multitrack when its recording has one track per participant. */
export async function isMultitrack(ctx: Ctx, recordingId: string | null): Promise<boolean> {
  if (!recordingId) return false;
  const [rec] = await ctx.database.db.select({ trackKeys: recordings.trackKeys }).from(recordings).where(eq(recordings.id, recordingId)).limit(1);
  return Array.isArray(rec?.trackKeys) && rec.trackKeys.length > 0;
}

export async function participantsOut(ctx: Ctx, participants: readonly Participant[]): Promise<z.infer<typeof ParticipantOut>[]> {
  const userIds = [...new Set(participants.map((p) => p.user_id).filter((u): u is string => !!u))];
  const emails = new Map<string, string | null>();
  if (userIds.length) {
    const rows = await ctx.database.db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, userIds));
    for (const r of rows) emails.set(r.id, r.email);
  }
  return participants.map((p) => ({
    id: p.id,
    speaker: p.speaker ?? null,
    name: p.name,
    user_id: p.user_id ?? null,
    ...(p.user_id ? { email: emails.get(p.user_id) ?? null } : {}),
  }));
}

export async function transcriptWithParticipants(ctx: Ctx, row: TranscriptRow) {
  const [roomName, participants] = await Promise.all([roomNameOf(ctx, row.roomId), participantsOut(ctx, row.participants)]);
  return { ...toMinimal(row, roomName), participants };
}

export async function transcriptDetail(ctx: Ctx, row: TranscriptRow, format: TranscriptFormat): Promise<z.infer<typeof TranscriptDetail>> {
  const [base, multitrack] = await Promise.all([transcriptWithParticipants(ctx, row), isMultitrack(ctx, row.recordingId)]);
  const rendered = renderTranscript(format, {
    title: row.title,
    name: row.name,
    short_summary: row.shortSummary,
    topics: row.topics,
    participants: row.participants,
    multitrack,
  });
  return { ...base, ...rendered } as z.infer<typeof TranscriptDetail>;
}
