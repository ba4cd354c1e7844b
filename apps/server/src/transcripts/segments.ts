// Grouping of recognised words into speaker segments, the unit every transcript format is built from.
import type { Participant, Word } from '../db/schema.ts';

export interface Segment {
  /** Concatenated word texts, as recognised (words carry their own leading spaces). */
  text: string;
  start: number;
  end: number;
  speaker: number;
}

/** A segment longer than this closes at the next word with sentence punctuation. */
export const MAX_SEGMENT_CHARS = 120;
/** A sentence in the multitrack grouping never grows past this. */
export const MAX_SENTENCE_CHARS = 1000;

const CLAUSE_PUNCTUATION = /[.;:?!…]/;
const SENTENCE_END = /[.?!…]$/;

const speakerOf = (w: Word) => w.speaker ?? 0;

/**
 * Single-track segmentation: a new segment on every speaker change, and after a punctuated word once the
 * segment has grown past MAX_SEGMENT_CHARS, so long monologues still become readable cues.
 */
export function wordsToSegments(words: readonly Word[]): Segment[] {
  const segments: Segment[] = [];
  let current: Segment | null = null;
  for (const word of words) {
    const speaker = speakerOf(word);
    if (current && current.speaker !== speaker) {
      segments.push(current);
      current = null;
    }
    if (!current) {
      current = { text: word.text, start: word.start, end: word.end, speaker };
    } else {
      current.text += word.text;
      current.end = word.end;
    }
    if (CLAUSE_PUNCTUATION.test(word.text) && current.text.length > MAX_SEGMENT_CHARS) {
      segments.push(current);
      current = null;
    }
  }
  if (current) segments.push(current);
  return segments;
}

/**
 * Multitrack segmentation. Each participant has their own track, so words of different speakers interleave
 * in time; splitting on every speaker change would chop sentences into single words. Instead each speaker's
 * words form sentences on their own, and the sentences are then ordered by start time.
 */
export function wordsToSegmentsBySentence(words: readonly Word[]): Segment[] {
  const bySpeaker = new Map<number, Word[]>();
  for (const word of words) {
    const list = bySpeaker.get(speakerOf(word));
    if (list) list.push(word);
    else bySpeaker.set(speakerOf(word), [word]);
  }
  const segments: Segment[] = [];
  for (const [speaker, list] of bySpeaker) {
    let current: Segment | null = null;
    for (const word of list) {
      if (!current) current = { text: word.text, start: word.start, end: word.end, speaker };
      else {
        current.text += word.text;
        current.end = word.end;
      }
      if (SENTENCE_END.test(word.text.trimEnd()) || current.text.length >= MAX_SENTENCE_CHARS) {
        segments.push(current);
        current = null;
      }
    }
    if (current) segments.push(current);
  }
  // Array.prototype.sort is stable, so sentences starting together keep speaker order.
  return segments.sort((a, b) => a.start - b.start);
}

export function segmentWords(words: readonly Word[], multitrack: boolean): Segment[] {
  return multitrack ? wordsToSegmentsBySentence(words) : wordsToSegments(words);
}

/** The participant's name for a speaker index, or "Speaker N" when nobody is assigned to it. */
export function speakerName(speaker: number, participants: readonly Participant[] | null | undefined): string {
  const p = participants?.find((x) => x.speaker === speaker);
  return p ? p.name : `Speaker ${speaker}`;
}
