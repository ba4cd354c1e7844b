// How topics are shown by the API: text, computed duration and speaker segments instead of raw words.
import { z } from 'zod';
import type { Topic, Word } from '../db/schema.ts';
import { segmentWords } from './segments.ts';

export const WordOut = z.object({
  text: z.string(),
  start: z.number().describe('seconds'),
  end: z.number().describe('seconds'),
  speaker: z.number().int(),
});

export const TopicSegmentOut = z.object({ text: z.string(), start: z.number(), speaker: z.number().int() });

export const TopicOut = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  timestamp: z.number().describe('start of the topic, seconds'),
  duration: z.number().nullable().describe('seconds; null for topics stored without words'),
  transcript: z.string(),
  translation: z.string().nullable().describe('the text in the target language; null when not translated'),
  segments: z.array(TopicSegmentOut),
});

export const TopicWithWordsOut = TopicOut.extend({ words: z.array(WordOut) });

export const TopicWordsPerSpeakerOut = TopicOut.extend({
  words_per_speaker: z.array(z.object({ speaker: z.number().int(), words: z.array(WordOut) })),
});

export type TopicOutT = z.infer<typeof TopicOut>;

const wordOut = (w: Word) => ({ text: w.text, start: w.start, end: w.end, speaker: w.speaker ?? 0 });

export function topicOut(topic: Topic, multitrack: boolean): TopicOutT {
  const words = topic.words ?? [];
  const base = { id: topic.id, title: topic.title ?? '', summary: topic.summary ?? '', timestamp: topic.timestamp ?? 0, translation: topic.translation ?? null };
  if (!words.length) {
    // Stored without words (older recordings): the text is all there is.
    const text = topic.transcript ?? '';
    return { ...base, duration: null, transcript: text, segments: [{ text, start: base.timestamp, speaker: 0 }] };
  }
  return {
    ...base,
    duration: words[words.length - 1].end - words[0].start,
    transcript: words.map((w) => w.text).join('').trim(),
    segments: segmentWords(words, multitrack).map((s) => ({ text: s.text.trim(), start: s.start, speaker: s.speaker })),
  };
}

export function topicWithWordsOut(topic: Topic, multitrack: boolean) {
  return { ...topicOut(topic, multitrack), words: (topic.words ?? []).map(wordOut) };
}

/** Consecutive runs of the same speaker. */
export function wordsPerSpeaker(words: readonly Word[]): Array<{ speaker: number; words: ReturnType<typeof wordOut>[] }> {
  const runs: Array<{ speaker: number; words: ReturnType<typeof wordOut>[] }> = [];
  for (const w of words) {
    const speaker = w.speaker ?? 0;
    const last = runs[runs.length - 1];
    if (last && last.speaker === speaker) last.words.push(wordOut(w));
    else runs.push({ speaker, words: [wordOut(w)] });
  }
  return runs;
}

export function topicWordsPerSpeakerOut(topic: Topic, multitrack: boolean) {
  return { ...topicOut(topic, multitrack), words_per_speaker: wordsPerSpeaker(topic.words ?? []) };
}
