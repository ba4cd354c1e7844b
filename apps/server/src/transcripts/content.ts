// Writing a transcript's topics and participants. Every write of topics recomputes the derived columns
// (the stored WebVTT and the plain text that full-text search indexes), inside one transaction that holds
// the row, so concurrent edits and pipeline writes never lose each other's changes.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { transcripts, type Participant, type Topic, type TranscriptRow, type Word } from '../db/schema.ts';
import { notFound } from '../errors.ts';
import { plainText, storedWebvtt } from './formats.ts';

type Ctx = Pick<AppContext, 'database'>;
type Changes = Partial<typeof transcripts.$inferInsert>;

export interface TopicInput {
  id?: string;
  title: string;
  summary: string;
  /** Start of the topic, seconds. */
  timestamp: number;
  /** Seconds; computed from the words when absent. */
  duration?: number | null;
  /** Text of the topic; computed from the words when absent. */
  transcript?: string;
  translation?: string | null;
  words?: Array<Omit<Word, 'speaker'> & { speaker?: number | null }>;
}

export function normalizeTopic(t: TopicInput): Topic {
  const words: Word[] = (t.words ?? []).map((w) => ({
    text: w.text,
    start: w.start,
    end: w.end,
    speaker: w.speaker ?? 0,
    ...(w.confidence !== undefined ? { confidence: w.confidence } : {}),
  }));
  return {
    id: t.id ?? randomUUID(),
    title: t.title,
    summary: t.summary,
    timestamp: t.timestamp,
    duration: t.duration ?? (words.length ? words[words.length - 1].end - words[0].start : 0),
    transcript: t.transcript ?? words.map((w) => w.text).join('').trim(),
    ...(t.translation ? { translation: t.translation } : {}),
    words,
  };
}

/** The columns derived from topics; written together with them, never on their own. */
export function topicColumns(topics: Topic[]): Pick<Changes, 'topics' | 'webvtt' | 'transcriptText'> {
  return { topics, webvtt: storedWebvtt(topics), transcriptText: plainText(topics) };
}

/**
 * Reads the transcript under a row lock, lets `fn` decide the changes, and writes them. Throws 404 when the
 * transcript does not exist. Errors thrown by `fn` roll everything back. `fn` must not query the database
 * itself: embedded PostgreSQL has one connection, held by this transaction.
 */
export async function mutateTranscript<T>(
  ctx: Ctx,
  id: string,
  fn: (row: TranscriptRow) => { changes?: Changes; result: T } | Promise<{ changes?: Changes; result: T }>,
): Promise<T> {
  return ctx.database.db.transaction(async (tx) => {
    const [row] = await tx.select().from(transcripts).where(eq(transcripts.id, id)).for('update');
    if (!row) throw notFound('Transcript not found');
    const { changes, result } = await fn(row);
    if (changes && Object.keys(changes).length) {
      const values = changes.topics ? { ...changes, ...topicColumns(changes.topics) } : changes;
      await tx.update(transcripts).set(values).where(eq(transcripts.id, id));
    }
    return result;
  });
}

/** Replaces all topics of a transcript (the pipeline's final write, or clearing before a reprocess). */
export async function setTopics(ctx: Ctx, id: string, topics: TopicInput[]): Promise<Topic[]> {
  const normalized = topics.map(normalizeTopic);
  return mutateTranscript(ctx, id, () => ({ changes: { topics: normalized }, result: normalized }));
}

/** Adds a topic, or replaces the topic with the same id in place. */
export async function upsertTopic(ctx: Ctx, id: string, topic: TopicInput): Promise<Topic> {
  const normalized = normalizeTopic(topic);
  return mutateTranscript(ctx, id, (row) => {
    const topics = [...row.topics];
    const at = topics.findIndex((t) => t.id === normalized.id);
    if (at >= 0) topics[at] = normalized;
    else topics.push(normalized);
    return { changes: { topics }, result: normalized };
  });
}

/** Replaces the participants list (pipeline-detected speakers, or an edit). */
export async function setParticipants(ctx: Ctx, id: string, participants: Participant[]): Promise<Participant[]> {
  return mutateTranscript(ctx, id, () => ({ changes: { participants }, result: participants }));
}
