// Turning sherpa token output into words with times.
import type { Word } from '../types.ts';

/** Word-boundary markers: SentencePiece's "▁" (sherpa usually turns it into a space already). */
function startsWord(token: string): boolean {
  return token.startsWith('\u2581') || token.startsWith(' ');
}

/** Longest time a word is assumed to last when the model gives no durations (CTC). */
const MAX_WORD_SECONDS = 1.0;

/**
 * Joins BPE tokens into words. Times come from per-token start times and, for TDT transducers such as
 * Parakeet, per-token durations; without durations a word ends where the next one starts (capped).
 */
export function tokensToWords(
  tokens: readonly string[],
  timestamps: readonly number[],
  opts: { durations?: readonly number[]; logProbs?: readonly number[]; clipSeconds: number; offset?: number },
): Word[] {
  const offset = opts.offset ?? 0;
  const haveDur = !!opts.durations && opts.durations.length === tokens.length && opts.durations.some((d) => d > 0);
  const haveProb = !!opts.logProbs && opts.logProbs.length === tokens.length;
  interface Acc {
    text: string;
    start: number;
    end: number | null;
    logProb: number;
    n: number;
  }
  const acc: Acc[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    const t = timestamps[i] ?? 0;
    const clean = tok.replace(/^[\u2581 ]+/, '').replace(/\u2581/g, ' ');
    const end = haveDur ? t + opts.durations![i] : null;
    const cur = acc[acc.length - 1];
    if (!cur || startsWord(tok)) {
      if (!clean) continue; // a bare boundary marker
      acc.push({ text: clean, start: t, end, logProb: haveProb ? opts.logProbs![i] : 0, n: 1 });
    } else {
      cur.text += clean;
      if (end !== null) cur.end = end;
      if (haveProb) cur.logProb += opts.logProbs![i];
      cur.n++;
    }
  }
  return acc.map((w, i) => {
    const next = acc[i + 1]?.start ?? opts.clipSeconds;
    let end = w.end ?? Math.min(next, w.start + MAX_WORD_SECONDS);
    end = Math.max(end, w.start + 0.01);
    const word: Word = { text: (i ? ' ' : '') + w.text, start: round(w.start + offset), end: round(Math.min(end, Math.max(opts.clipSeconds, w.start + 0.01)) + offset) };
    if (haveProb) word.confidence = round(Math.exp(w.logProb / w.n));
    return word;
  });
}

/**
 * For recognisers that give text but no usable token times (Whisper without an attention-exported decoder):
 * spreads the clip over the words in proportion to their length. Callers must flag such times as estimated.
 */
export function spreadWords(text: string, clipSeconds: number, offset = 0): Word[] {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  const weights = parts.map((p) => p.length + 1);
  const total = weights.reduce((a, b) => a + b, 0);
  let t = 0;
  return parts.map((p, i) => {
    const dur = (weights[i] / total) * clipSeconds;
    const w: Word = { text: (i ? ' ' : '') + p, start: round(t + offset), end: round(t + dur + offset) };
    t += dur;
    return w;
  });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
