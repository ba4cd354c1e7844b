// The word timing rules of the model-service API: shift by the caller's offset, round to 10 ms, and never let a
// word run into the next one (players highlight by time, overlaps make two words light up at once).
import type { Word } from '@reflector/speech/types';

export interface WireWord {
  word: string;
  start: number;
  end: number;
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function toWireWords(words: readonly Word[], offset = 0): WireWord[] {
  const out = words.map((w) => ({ word: w.text, start: round(w.start + offset, 2), end: round(w.end + offset, 2) }));
  for (let i = 0; i < out.length - 1; i++) {
    if (out[i].end > out[i + 1].start) out[i].end = Math.max(out[i].start, out[i + 1].start);
  }
  return out;
}
