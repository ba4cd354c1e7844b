// Small text helpers shared by the summarisers: tokens, stop words, sentences, chunking by size.
import type { Line } from './types.ts';

const STOP = new Set(
  `a about above after again against all also am an and any are aren't as at be because been before being below between both but by can
   can't cannot could couldn't did didn't do does doesn't doing don't down during each few for from further get got gonna had hadn't has
   hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is
   isn't it it's its itself just know let let's like maybe me more most mustn't my myself need no nor not now of off ok okay on once only or other
   ought our ours ourselves out over own really right same shan't she she'd she'll she's should shouldn't so some such sure than that
   that's the their theirs them themselves then there there's these they they'd they'll they're they've think this those through to too
   um uh under until up us very was wasn't we we'd we'll we're we've well were weren't what what's when when's where where's which while
   who who's whom why why's will with won't would wouldn't yeah yes you you'd you'll you're you've your yours yourself yourselves thing
   things going one two go see say said want mean kind lot actually also okay alright good great thanks thank`.split(/\s+/),
);

export function tokens(text: string): string[] {
  return (text.toLowerCase().match(/[a-z][a-z'-]*[a-z]|[a-z]/g) ?? []).filter((t) => t.length > 2 && !STOP.has(t));
}

/** A crude English stemmer: enough to make "budgets" and "budget" one term. */
export function stem(t: string): string {
  return t.replace(/(ies)$/, 'y').replace(/(ing|ed|es|s)$/, '').replace(/'s$/, '') || t;
}

export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…])\s+(?=[A-Z0-9"'])/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The transcript as prompt text: "[mm:ss] Name: text" per line. */
export function linesToPrompt(lines: Line[]): string {
  return lines.map((l) => `[${clock(l.start)}] ${l.speaker}: ${l.text.trim()}`).join('\n');
}

function clock(seconds: number): string {
  const s = Math.floor(seconds);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** Splits lines into consecutive chunks whose prompt text stays under `maxChars`; never splits a line. */
export function chunkLines(lines: Line[], maxChars: number): Line[][] {
  const chunks: Line[][] = [];
  let current: Line[] = [];
  let size = 0;
  for (const line of lines) {
    const len = line.text.length + line.speaker.length + 12;
    if (current.length && size + len > maxChars) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(line);
    size += len;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** Parses "mm:ss", "h:mm:ss" or a number of seconds. */
export function parseTime(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const parts = value.trim().split(':').map(Number);
  if (!parts.length || parts.some((p) => !Number.isFinite(p))) return null;
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}
