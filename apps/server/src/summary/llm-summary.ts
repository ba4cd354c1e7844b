// Topics, title and summaries written by an LLM. Long meetings are split to fit the context window and
// the parts are combined; nothing is silently cut off.
import { z } from 'zod';
import { estimateTokens, type LlmClient } from '../llm/client.ts';
import { renderLongSummary } from './markdown.ts';
import { combinePrompt, notesPrompt, SYSTEM, titlePrompt, topicsPrompt } from './prompts.ts';
import { chunkLines, linesToPrompt, parseTime } from './text.ts';
import type { ActionItems, DetectedTopic, Line, MeetingSummary, Point, SpeakerName, Subject } from './types.ts';

const Time = z.union([z.string(), z.number()]);
const TopicsAnswer = z.object({ topics: z.array(z.object({ title: z.string().min(1), summary: z.string(), start: Time })) });
const TitleAnswer = z.object({ title: z.string().min(1).max(200) });
const NotesAnswer = z.object({
  points: z.array(z.object({ text: z.string().min(1), times: z.array(Time) })),
  decisions: z.array(z.object({ decision: z.string().min(1), rationale: z.string().nullable().optional(), decided_by: z.string().nullable().optional(), times: z.array(Time) })),
  next_steps: z.array(
    z.object({
      task: z.string().min(1),
      assigned_to: z.string().nullable().optional(),
      deadline: z.string().nullable().optional(),
      context: z.string().nullable().optional(),
      times: z.array(Time),
    }),
  ),
  speaker_names: z.array(z.object({ speaker: z.string(), name: z.string() })),
});
const CombineAnswer = z.object({
  recap: z.string().min(1),
  short_summary: z.string().min(1),
  subjects: z.array(z.object({ title: z.string().min(1), summary: z.string(), points: z.array(z.object({ text: z.string().min(1), times: z.array(Time) })) })),
});

type Notes = z.infer<typeof NotesAnswer>;

export interface LlmSummaryOptions {
  signal?: AbortSignal;
  /** How many chunk requests run at the same time. */
  parallel?: number;
}

/** Characters of transcript per request: a share of the context window, leaving room for the answer. */
function chunkChars(llm: LlmClient): number {
  return Math.max(2000, Math.floor(llm.options.contextWindow * 0.5) * 4);
}

function clampTimes(times: Array<string | number>, lo: number, hi: number): number[] {
  return times
    .map((t) => parseTime(t))
    .filter((t): t is number => t !== null && t >= lo - 1 && t <= hi + 1)
    .map((t) => Math.round(t));
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

export async function llmTopics(llm: LlmClient, lines: Line[], opts: LlmSummaryOptions = {}): Promise<DetectedTopic[]> {
  if (!lines.length) return [];
  const chunks = chunkLines(lines, chunkChars(llm));
  const perChunk = await mapLimit(chunks, opts.parallel ?? 2, async (chunk) => {
    const answer = await llm.structured('topics', TopicsAnswer, [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: topicsPrompt(linesToPrompt(chunk)) },
    ], { signal: opts.signal });
    const lo = chunk[0].start;
    const hi = chunk[chunk.length - 1].end;
    const found = answer.topics
      .map((t) => ({ title: t.title.trim().replace(/\.$/, ''), summary: t.summary.trim(), start: clampTimes([t.start], lo, hi)[0] ?? lo }))
      .sort((a, b) => a.start - b.start);
    if (!found.length) return [{ title: 'Discussion', summary: '', start: lo }];
    found[0].start = lo; // the chunk is covered from its first line
    return found;
  });
  const flat = perChunk.flat();
  // A topic that runs across a chunk boundary comes back twice with the same title: keep the first.
  const merged = flat.filter((t, i) => i === 0 || t.title.toLowerCase() !== flat[i - 1].title.toLowerCase());
  const end = lines[lines.length - 1].end;
  return merged.map((t, i) => ({ ...t, end: i + 1 < merged.length ? merged[i + 1].start : end }));
}

export async function llmTitle(llm: LlmClient, topics: DetectedTopic[], opts: LlmSummaryOptions = {}): Promise<string> {
  const list = topics.map((t) => `- ${t.title}: ${t.summary}`).join('\n');
  const answer = await llm.structured('title', TitleAnswer, [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: titlePrompt(list) },
  ], { signal: opts.signal });
  return answer.title.trim().replace(/\.$/, '');
}

async function notesPerChunk(llm: LlmClient, lines: Line[], opts: LlmSummaryOptions): Promise<Notes[]> {
  const chunks = chunkLines(lines, chunkChars(llm));
  return mapLimit(chunks, opts.parallel ?? 2, async (chunk) => {
    const notes = await llm.structured('notes', NotesAnswer, [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: notesPrompt(linesToPrompt(chunk)) },
    ], { signal: opts.signal });
    const lo = chunk[0].start;
    const hi = chunk[chunk.length - 1].end;
    const fix = <T extends { times: Array<string | number> }>(x: T) => ({ ...x, times: clampTimes(x.times, lo, hi) });
    return { ...notes, points: notes.points.map(fix), decisions: notes.decisions.map(fix), next_steps: notes.next_steps.map(fix) };
  });
}

const notesText = (points: Point[]) => points.map((p) => `- ${p.text} (${p.timestamps.map((t) => `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`).join(', ')})`).join('\n');

/**
 * Reduces notes to subjects and a recap. When the notes themselves exceed the window they are first
 * condensed group by group (each group keeps its times), so arbitrarily long meetings are covered.
 */
export async function llmCombine(llm: LlmClient, points: Point[], topics: DetectedTopic[], opts: LlmSummaryOptions = {}) {
  if (!points.length) return { recap: 'Nothing of substance was said.', shortSummary: 'Nothing of substance was said.', subjects: [] as Subject[] };
  const budget = chunkChars(llm);
  let current = points;
  while (estimateTokens(notesText(current)) * 4 > budget && current.length > 1) {
    const groups: Point[][] = [];
    let group: Point[] = [];
    for (const p of current) {
      if (group.length && notesText([...group, p]).length > budget) {
        groups.push(group);
        group = [];
      }
      group.push(p);
    }
    if (group.length) groups.push(group);
    const condensed = await mapLimit(groups, opts.parallel ?? 2, async (g) => {
      const lo = Math.min(...g.flatMap((p) => p.timestamps), Infinity);
      const hi = Math.max(...g.flatMap((p) => p.timestamps), -Infinity);
      const answer = await llm.structured('combine', CombineAnswer, [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: combinePrompt(notesText(g), '(part of a longer meeting)') },
      ], { signal: opts.signal });
      return answer.subjects.flatMap((s) => s.points.map((p) => ({ text: `${s.title}: ${p.text}`, timestamps: clampTimes(p.times, lo, hi) })));
    });
    const next = condensed.flat();
    if (next.length >= current.length) break; // no progress: stop rather than loop
    current = next;
  }
  const topicList = topics.map((t) => `- [${Math.floor(t.start / 60)}:${String(Math.floor(t.start) % 60).padStart(2, '0')}] ${t.title}`).join('\n');
  const answer = await llm.structured('summary', CombineAnswer, [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: combinePrompt(notesText(current), topicList) },
  ], { signal: opts.signal });
  const lo = 0;
  const hi = Math.max(0, ...points.flatMap((p) => p.timestamps));
  const subjects: Subject[] = answer.subjects.map((s) => ({
    title: s.title.trim(),
    summary: s.summary.trim(),
    points: s.points.map((p) => ({ text: p.text.trim(), timestamps: clampTimes(p.times, lo, hi) })),
  }));
  return { recap: answer.recap.trim(), shortSummary: answer.short_summary.trim(), subjects };
}

function mergeSpeakerNames(all: SpeakerName[]): SpeakerName[] {
  const byLabel = new Map<string, Map<string, number>>();
  for (const { speaker, name } of all) {
    if (!name.trim() || name.trim() === speaker) continue;
    const votes = byLabel.get(speaker) ?? new Map<string, number>();
    votes.set(name.trim(), (votes.get(name.trim()) ?? 0) + 1);
    byLabel.set(speaker, votes);
  }
  return [...byLabel.entries()].map(([speaker, votes]) => ({ speaker, name: [...votes.entries()].sort((a, b) => b[1] - a[1])[0][0] }));
}

export interface MeetingNotes {
  points: Point[];
  actionItems: ActionItems;
  speakerNames: SpeakerName[];
}

/** Notes on the whole meeting, chunk by chunk: key points, decisions, next steps and speaker names. */
export async function llmNotes(llm: LlmClient, lines: Line[], opts: LlmSummaryOptions = {}): Promise<MeetingNotes> {
  const notes = await notesPerChunk(llm, lines, opts);
  return {
    points: notes.flatMap((n) => n.points.map((p) => ({ text: p.text, timestamps: p.times as number[] }))),
    actionItems: {
      decisions: notes.flatMap((n) => n.decisions.map((d) => ({ decision: d.decision, rationale: d.rationale ?? null, decided_by: d.decided_by ?? null, timestamps: d.times as number[] }))),
      next_steps: notes.flatMap((n) =>
        n.next_steps.map((s) => ({ task: s.task, assigned_to: s.assigned_to ?? null, deadline: s.deadline ?? null, context: s.context ?? null, timestamps: s.times as number[] })),
      ),
    },
    speakerNames: mergeSpeakerNames(notes.flatMap((n) => n.speaker_names)),
  };
}

export interface LlmSummaryParts {
  title: string;
  summary: Pick<MeetingSummary, 'recap' | 'shortSummary' | 'subjects' | 'longSummary'>;
  actionItems: ActionItems;
  speakerNames: SpeakerName[];
}

/** Title, summaries, action items and speaker names; the title and the notes are asked for in parallel. */
export async function llmSummary(llm: LlmClient, lines: Line[], topics: DetectedTopic[], opts: LlmSummaryOptions = {}): Promise<LlmSummaryParts> {
  const [title, notes] = await Promise.all([llmTitle(llm, topics, opts), llmNotes(llm, lines, opts)]);
  const { recap, shortSummary, subjects } = await llmCombine(llm, notes.points, topics, opts);
  return {
    title,
    summary: { recap, shortSummary, subjects, longSummary: renderLongSummary(recap, subjects, notes.actionItems) },
    actionItems: notes.actionItems,
    speakerNames: notes.speakerNames,
  };
}
