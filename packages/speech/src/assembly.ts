// Puts diarization speakers onto recognised words. Each word takes the speaker it overlaps most; then the
// turn boundaries are cleaned up, because diarization boundaries are coarse (tenths of a second) while
// a sentence almost never changes speaker in the middle.
import type { SpeakerSegment, Word } from './types.ts';

export interface AssemblyOptions {
  /** A turn boundary may move to a sentence boundary at most this many words away. Default 3. */
  maxShiftWords?: number;
  /** ...and only over words whose middle lies within this many seconds of the diarized boundary. Default 1. */
  maxShiftSeconds?: number;
}

const SENTENCE_END = /[.?!…]["'”’)\]]*$/;

function endsSentence(w: Word): boolean {
  return SENTENCE_END.test(w.text.trim());
}

/** Returns copies of the words with `speaker` set. Without diarization every word is speaker 0. */
export function assignSpeakers(words: Word[], segments: SpeakerSegment[], opts: AssemblyOptions = {}): Word[] {
  const maxShiftWords = opts.maxShiftWords ?? 3;
  const maxShiftSeconds = opts.maxShiftSeconds ?? 1;
  const segs = segments.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  if (!segs.length) return words.map((w) => ({ ...w, speaker: 0 }));

  const speakers = words.map((w) => bestSpeaker(w, segs));
  const hasPunctuation = words.some(endsSentence);
  if (hasPunctuation) snapToSentences(words, speakers, maxShiftWords, maxShiftSeconds);
  absorbIsolatedWords(words, speakers, segs);
  return words.map((w, i) => ({ ...w, speaker: speakers[i] }));
}

/** The speaker overlapping the word most; without overlap, the speaker of the nearest segment. */
function bestSpeaker(w: Word, segs: SpeakerSegment[]): number {
  const overlap = new Map<number, number>();
  let nearest = segs[0].speaker;
  let nearestGap = Infinity;
  const mid = (w.start + w.end) / 2;
  for (const s of segs) {
    const o = Math.min(w.end, s.end) - Math.max(w.start, s.start);
    if (o > 0) overlap.set(s.speaker, (overlap.get(s.speaker) ?? 0) + o);
    const gap = mid < s.start ? s.start - mid : mid > s.end ? mid - s.end : 0;
    if (gap < nearestGap) {
      nearestGap = gap;
      nearest = s.speaker;
    }
  }
  // A zero-length word (some engines emit them) counts as overlapping the segment it sits in.
  if (!overlap.size || w.end <= w.start) return nearest;
  let best = nearest;
  let bestO = -1;
  for (const [spk, o] of overlap) {
    if (o > bestO) {
      bestO = o;
      best = spk;
    }
  }
  return best;
}

/**
 * Where the speaker changes in the middle of a sentence, move the change to the nearest sentence boundary
 * if that is only a few words (and about a second) away: the diarized boundary is the uncertain one.
 */
function snapToSentences(words: Word[], speakers: number[], maxWords: number, maxSeconds: number): void {
  for (let i = 1; i < words.length; i++) {
    if (speakers[i] === speakers[i - 1] || endsSentence(words[i - 1])) continue;
    const boundaryTime = (words[i - 1].end + words[i].start) / 2;
    const before = speakers[i - 1];
    const after = speakers[i];
    let target = -1;
    for (let d = 1; d <= maxWords && target < 0; d++) {
      // Moving the change later is tried first: the end of a sentence cut off from its speaker is the common error.
      for (const k of [i + d, i - d]) {
        if (k <= 0 || k >= words.length || !endsSentence(words[k - 1])) continue;
        const lo = Math.min(i, k);
        const hi = Math.max(i, k);
        let ok = true;
        for (let j = lo; j < hi && ok; j++) {
          // Only words belonging to the two speakers at this boundary, close to it in time, are moved.
          if (speakers[j] !== before && speakers[j] !== after) ok = false;
          if (Math.abs((words[j].start + words[j].end) / 2 - boundaryTime) > maxSeconds) ok = false;
        }
        if (ok) {
          target = k;
          break;
        }
      }
    }
    if (target < 0) continue;
    if (target > i) for (let j = i; j < target; j++) speakers[j] = before;
    else for (let j = target; j < i; j++) speakers[j] = after;
    i = Math.max(i, target);
  }
}

/**
 * A single word given to another speaker between two runs of the same speaker is almost always a boundary
 * error, unless it is a sentence of its own ("Yes.") that sits mostly inside that other speaker's segment.
 */
function absorbIsolatedWords(words: Word[], speakers: number[], segs: SpeakerSegment[]): void {
  for (let i = 1; i < words.length - 1; i++) {
    const s = speakers[i];
    if (speakers[i - 1] !== speakers[i + 1] || speakers[i - 1] === s) continue;
    const w = words[i];
    const ownSentence = endsSentence(words[i - 1]) && endsSentence(w);
    if (ownSentence && overlapWith(w, segs, s) >= 0.5 * (w.end - w.start)) continue;
    speakers[i] = speakers[i - 1];
  }
}

function overlapWith(w: Word, segs: SpeakerSegment[], speaker: number): number {
  let o = 0;
  for (const s of segs) if (s.speaker === speaker) o += Math.max(0, Math.min(w.end, s.end) - Math.max(w.start, s.start));
  return o;
}
