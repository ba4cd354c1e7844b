// Summaries without an LLM: lexical topic segmentation, a keyword title, ranked sentences and cue-phrase
// action items. Everything it writes is taken from the transcript itself and is marked "extractive".
import { renderLongSummary } from './markdown.ts';
import { splitSentences, stem, tokens } from './text.ts';
import type { ActionItems, DetectedTopic, Line, MeetingSummary, Point, Subject } from './types.ts';

type Vec = Map<string, number>;

function bag(text: string): Vec {
  const v: Vec = new Map();
  for (const t of tokens(text)) {
    const s = stem(t);
    v.set(s, (v.get(s) ?? 0) + 1);
  }
  return v;
}

function cosine(a: Vec, b: Vec): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [k, x] of a) {
    na += x * x;
    const y = b.get(k);
    if (y) dot += x * y;
  }
  for (const y of b.values()) nb += y * y;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

function addInto(target: Vec, v: Vec): void {
  for (const [k, x] of v) target.set(k, (target.get(k) ?? 0) + x);
}

/** Sentences of the transcript with their times (a line's time for each of its sentences). */
function sentencesOf(lines: Line[]): Array<{ text: string; start: number; line: number }> {
  const out: Array<{ text: string; start: number; line: number }> = [];
  lines.forEach((l, i) => {
    for (const s of splitSentences(l.text)) out.push({ text: s, start: l.start, line: i });
  });
  return out;
}

/**
 * Topic boundaries by lexical cohesion: compare the words of the blocks before and after each gap
 * between lines; deep valleys of similarity are where the conversation moved on.
 */
export function segmentTopics(lines: Line[], opts: { minSeconds?: number; maxTopics?: number } = {}): Array<{ from: number; to: number }> {
  if (!lines.length) return [];
  const duration = lines[lines.length - 1].end - lines[0].start;
  const minSeconds = opts.minSeconds ?? Math.max(45, duration / 12);
  const maxTopics = opts.maxTopics ?? Math.max(1, Math.min(12, Math.round(duration / 90)));
  const vecs = lines.map((l) => bag(l.text));
  const window = 4;
  const scores: number[] = [];
  for (let gap = 1; gap < lines.length; gap++) {
    const left: Vec = new Map();
    const right: Vec = new Map();
    for (let i = Math.max(0, gap - window); i < gap; i++) addInto(left, vecs[i]);
    for (let i = gap; i < Math.min(lines.length, gap + window); i++) addInto(right, vecs[i]);
    scores.push(cosine(left, right));
  }
  // Depth of each valley: how far it lies below the nearest peaks on both sides.
  const depth = scores.map((s, i) => {
    let l = s;
    for (let j = i; j >= 0 && scores[j] >= l; j--) l = scores[j];
    let r = s;
    for (let j = i; j < scores.length && scores[j] >= r; j++) r = scores[j];
    return l - s + (r - s);
  });
  const candidates = depth
    .map((d, i) => ({ d, gap: i + 1 }))
    .filter((c) => c.d > 0)
    .sort((a, b) => b.d - a.d);
  const mean = depth.reduce((a, b) => a + b, 0) / Math.max(1, depth.length);
  const sd = Math.sqrt(depth.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, depth.length));
  const cuts: number[] = [];
  for (const c of candidates) {
    if (cuts.length >= maxTopics - 1 || c.d < mean + 0.5 * sd) break;
    const t = lines[c.gap].start;
    const ok = [lines[0].start, ...cuts.map((g) => lines[g].start), lines[lines.length - 1].end].every((x) => Math.abs(x - t) >= minSeconds);
    if (ok) cuts.push(c.gap);
  }
  cuts.sort((a, b) => a - b);
  const bounds = [0, ...cuts, lines.length];
  return bounds.slice(0, -1).map((from, i) => ({ from, to: bounds[i + 1] }));
}

/** The most characteristic words of a text against the whole meeting (tf-idf over lines). */
function keywords(text: string, df: Map<string, number>, docs: number, n: number): string[] {
  const counts = new Map<string, { n: number; word: string }>();
  for (const t of tokens(text)) {
    const s = stem(t);
    const c = counts.get(s);
    if (c) c.n++;
    else counts.set(s, { n: 1, word: t });
  }
  return [...counts.entries()]
    .map(([s, c]) => ({ word: c.word, score: c.n * Math.log((1 + docs) / (1 + (df.get(s) ?? 0))) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, n)
    .map((k) => k.word);
}

const titleCase = (words: string[]) => words.map((w) => w[0].toUpperCase() + w.slice(1)).join(', ');

/** Ranks sentences by closeness to the centroid of their passage; returns the best, in time order. */
function rankSentences(sentences: Array<{ text: string; start: number }>, n: number): Array<{ text: string; start: number }> {
  const centroid: Vec = new Map();
  const vecs = sentences.map((s) => bag(s.text));
  vecs.forEach((v) => addInto(centroid, v));
  return sentences
    .map((s, i) => ({ s, score: cosine(vecs[i], centroid) * Math.min(1, tokens(s.text).length / 6) }))
    .filter((x) => tokens(x.s.text).length >= 4)
    .sort((a, b) => b.score - a.score)
    .slice(0, n)
    .map((x) => x.s)
    .sort((a, b) => a.start - b.start);
}

const DECISION = /\b(we (?:have )?(?:decided|agreed)|decision is|let's go with|we(?:'ll| will) go with|agreed to|settled on)\b/i;
const NEXT_STEP = /\b(i(?:'ll| will)|we(?:'ll| will)|you(?:'ll| will)|(?:[A-Z][a-z]+) will|need to|needs to|action item|let's|follow up|by (?:monday|tuesday|wednesday|thursday|friday|next week|tomorrow|end of))\b/i;
const DEADLINE = /\b(by (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|next week|next month|the end of (?:the )?\w+|end of (?:the )?\w+|\w+ \d{1,2}(?:st|nd|rd|th)?))\b/i;

export function extractActionItems(lines: Line[]): ActionItems {
  const items: ActionItems = { decisions: [], next_steps: [] };
  for (const l of lines) {
    for (const s of splitSentences(l.text)) {
      if (s.endsWith('?') || tokens(s).length < 3) continue;
      if (DECISION.test(s)) items.decisions.push({ decision: s, decided_by: l.speaker, timestamps: [l.start] });
      else if (NEXT_STEP.test(s)) {
        const self = /^(i(?:'ll| will))\b/i.test(s);
        items.next_steps.push({ task: s, assigned_to: self ? l.speaker : null, deadline: DEADLINE.exec(s)?.[1] ?? null, timestamps: [l.start] });
      }
    }
  }
  items.next_steps = items.next_steps.slice(0, 12);
  items.decisions = items.decisions.slice(0, 8);
  return items;
}

export function extractiveTopics(lines: Line[]): DetectedTopic[] {
  const docs = lines.length;
  const df = new Map<string, number>();
  for (const l of lines) for (const s of new Set(tokens(l.text).map(stem))) df.set(s, (df.get(s) ?? 0) + 1);
  return segmentTopics(lines).map(({ from, to }) => {
    const part = lines.slice(from, to);
    const text = part.map((l) => l.text).join(' ');
    const best = rankSentences(sentencesOf(part), 2);
    return {
      title: titleCase(keywords(text, df, docs, 3)) || 'Conversation',
      summary: best.map((s) => s.text).join(' '),
      start: part[0].start,
      end: part[part.length - 1].end,
    };
  });
}

export function extractiveSummary(lines: Line[], topics: DetectedTopic[] = extractiveTopics(lines)): MeetingSummary {
  const docs = lines.length;
  const df = new Map<string, number>();
  for (const l of lines) for (const s of new Set(tokens(l.text).map(stem))) df.set(s, (df.get(s) ?? 0) + 1);
  const all = sentencesOf(lines);
  const recapSentences = rankSentences(all, 3);
  const subjects: Subject[] = topics.map((t) => {
    const part = lines.filter((l) => l.start >= t.start && l.start < t.end + 0.001);
    const points: Point[] = rankSentences(sentencesOf(part), 3).map((s) => ({ text: s.text, timestamps: [s.start] }));
    return { title: t.title, summary: '', points };
  });
  const actionItems = extractActionItems(lines);
  const recap = recapSentences.map((s) => s.text).join(' ') || 'Nothing was said that could be summarised.';
  const title = titleCase(keywords(lines.map((l) => l.text).join(' '), df, docs, 4)) || 'Meeting';
  return {
    method: 'extractive',
    title,
    recap,
    subjects,
    shortSummary: recapSentences.slice(0, 2).map((s) => s.text).join(' ') || recap,
    longSummary: renderLongSummary(recap, subjects, actionItems),
    actionItems,
    speakerNames: [],
  };
}
