// The transcript as the page shows it: every word in one flat array (for the player's current-word
// lookup) and speaker segments pointing into it (for the virtualised list).
import type { TopicWithWords, Word } from '../api/types.ts';

export interface Segment {
  key: string;
  speaker: number;
  start: number;
  end: number;
  /** Index of the first word in `words`, and one past the last. */
  from: number;
  to: number;
  topicIndex: number;
  /** True for the first segment of a topic, where the list shows the topic's heading. */
  topicStart: boolean;
}

export interface Flattened {
  words: Word[];
  segments: Segment[];
  /** Index of each topic's first segment. */
  topicFirstSegment: number[];
}

const SENTENCE_END = /[.;:?!…]\s*$/;
const MAX_SEGMENT_CHARS = 120;

export function flattenTopics(topics: readonly TopicWithWords[]): Flattened {
  const words: Word[] = [];
  const segments: Segment[] = [];
  const topicFirstSegment: number[] = [];
  topics.forEach((topic, topicIndex) => {
    topicFirstSegment.push(segments.length);
    let current: Segment | null = null;
    let chars = 0;
    for (const w of topic.words) {
      const idx = words.length;
      words.push(w);
      if (!current || current.speaker !== w.speaker) {
        current = { key: `${topicIndex}:${idx}`, speaker: w.speaker, start: w.start, end: w.end, from: idx, to: idx + 1, topicIndex, topicStart: false };
        segments.push(current);
        chars = 0;
      } else {
        current.to = idx + 1;
        current.end = w.end;
      }
      chars += w.text.length;
      if (chars > MAX_SEGMENT_CHARS && SENTENCE_END.test(w.text)) current = null;
    }
    if (segments.length > topicFirstSegment[topicIndex]) segments[topicFirstSegment[topicIndex]].topicStart = true;
  });
  return { words, segments, topicFirstSegment };
}

/** Index of the word being spoken at `t` seconds (the last word started by then), or -1. */
export function wordAt(words: readonly Word[], t: number): number {
  let lo = 0;
  let hi = words.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid].start <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found >= 0 && t > words[found].end + 1.5) return -1; // silence after the word
  return found;
}

/** Index of the segment holding word `w`. */
export function segmentOfWord(segments: readonly Segment[], w: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid].to <= w) lo = mid + 1;
    else if (segments[mid].from > w) hi = mid - 1;
    else return mid;
  }
  return -1;
}
