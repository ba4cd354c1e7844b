import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmClient, LlmError } from '../../src/llm/client.ts';
import { extractActionItems, extractiveSummary, extractiveTopics } from '../../src/summary/extractive.ts';
import { llmSummary, llmTopics } from '../../src/summary/llm-summary.ts';
import { renderLongSummary } from '../../src/summary/markdown.ts';
import type { Line } from '../../src/summary/types.ts';
import { startFakeLlm, type FakeLlm } from '../support/fake-llm.ts';

// A meeting with three clearly separate subjects, 20 s per line.
const SUBJECTS = [
  ['The budget for next quarter is tight.', 'Marketing wants more budget for the campaign.', 'We decided to cut travel costs by half.', 'The budget review will happen on Friday.', 'Finance needs the budget numbers by Monday.', 'The budget spreadsheet is shared with everyone.'],
  ['The mobile app release slipped a week.', 'Testers found a crash in the app login screen.', 'I will fix the login crash in the app by Wednesday.', 'The app store review takes three days.', 'We agreed to ship the app release next Tuesday.', 'Release notes for the app are drafted.'],
  ['Hiring two engineers is the next priority.', 'The hiring pipeline has twelve candidates.', 'Interviews for engineers start next week.', 'Maria will schedule the hiring interviews.', 'Engineers candidates need a coding exercise.', 'The hiring committee meets on Thursday.'],
];
const lines: Line[] = SUBJECTS.flat().map((text, i) => ({ start: i * 20, end: i * 20 + 18, speaker: `Speaker ${i % 2}`, text }));

describe('extractive summaries', () => {
  it('finds one topic per scripted subject at the right places', () => {
    const topics = extractiveTopics(lines);
    expect(topics.map((t) => t.start)).toEqual([0, 120, 240]);
    expect(topics[0].title.toLowerCase()).toContain('budget');
    expect(topics[1].title.toLowerCase()).toContain('app');
    expect(topics[2].title.toLowerCase()).toMatch(/hiring|engineer/);
    expect(topics[2].end).toBe(lines[lines.length - 1].end);
  });

  it('writes a keyword title, a recap and linked Markdown, marked extractive', () => {
    const s = extractiveSummary(lines);
    expect(s.method).toBe('extractive');
    expect(s.title.length).toBeGreaterThan(3);
    expect(s.longSummary.startsWith('## Quick recap\n')).toBe(true);
    expect(s.longSummary).toMatch(/\[\d+:\d{2}\]\(#t=\d+\)/);
    expect(s.subjects).toHaveLength(3);
  });

  it('picks decisions and next steps with owner and deadline from cue phrases', () => {
    const items = extractActionItems(lines);
    expect(items.decisions.map((d) => d.decision)).toEqual(['We decided to cut travel costs by half.', 'We agreed to ship the app release next Tuesday.']);
    const fix = items.next_steps.find((n) => n.task.startsWith('I will fix'));
    expect(fix).toMatchObject({ assigned_to: 'Speaker 0', deadline: 'by Wednesday', timestamps: [160] });
    expect(items.next_steps.some((n) => n.task.startsWith('Maria will'))).toBe(true);
  });

  it('renders timestamps as links and the recap first', () => {
    const md = renderLongSummary('Recap.', [{ title: 'A', summary: 'S.', points: [{ text: 'P', timestamps: [3725, 61] }] }]);
    expect(md).toBe('## Quick recap\n\nRecap.\n\n## A\n\nS.\n\n- P [1:01](#t=61) [1:02:05](#t=3725)\n');
  });
});

describe('LLM summaries against an OpenAI-compatible server', () => {
  let llm: FakeLlm;
  const client = (over: Partial<ConstructorParameters<typeof LlmClient>[0]> = {}) =>
    new LlmClient({ url: llm.url, model: 'test-model', contextWindow: 16000, parseRetries: 2, timeoutSeconds: 5, requestRetries: 2, ...over });
  beforeAll(async () => {
    llm = await startFakeLlm();
  });
  afterAll(async () => llm?.close());

  it('sends json_schema structured-output requests and parses topics with times', async () => {
    llm.respond(null);
    const topics = await llmTopics(client(), lines);
    const req = llm.requests.at(-1)!;
    expect(req.model).toBe('test-model');
    expect(req.response_format?.type).toBe('json_schema');
    expect(req.response_format?.json_schema?.name).toBe('topics');
    expect(topics.map((t) => t.start)).toEqual([0, 120, 240]);
    expect(topics.at(-1)!.end).toBe(lines.at(-1)!.end);
  });

  it('splits a long meeting to the context window instead of truncating it', async () => {
    llm.requests.length = 0;
    const long: Line[] = Array.from({ length: 400 }, (_, i) => ({ start: i * 10, end: i * 10 + 9, speaker: 'Speaker 0', text: `Sentence number ${i} about ${['budget', 'release', 'hiring'][i % 3]} matters.` }));
    const topics = await llmTopics(client({ contextWindow: 1024 }), long);
    const topicRequests = llm.requests.filter((r) => r.response_format?.json_schema?.name === 'topics');
    expect(topicRequests.length).toBeGreaterThan(5);
    const seen = new Set(topicRequests.flatMap((r) => [...r.messages[1].content.matchAll(/Sentence number (\d+) /g)].map((m) => Number(m[1]))));
    expect(seen.size).toBe(400); // every line was shown to the model exactly in some chunk
    expect(topics[0].start).toBe(0);
  });

  it('produces title, linked summary and action items', async () => {
    llm.respond(null);
    const topics = await llmTopics(client(), lines);
    const s = await llmSummary(client(), lines, topics);
    expect(s.title).toMatch(/^Meeting about /);
    expect(s.summary.longSummary.startsWith('## Quick recap')).toBe(true);
    expect(s.summary.longSummary).toContain('(#t=');
    expect(s.actionItems.decisions.length).toBe(2);
    expect(s.actionItems.next_steps.some((n) => n.timestamps.includes(160))).toBe(true);
  });

  it('re-asks with the error after an invalid answer', async () => {
    llm.requests.length = 0;
    llm.respond((_req, n) => (n === 1 ? 'this is not json' : n === 2 ? '{"title": 5}' : undefined));
    const topics = [{ title: 'Budget', summary: 'Money.', start: 0, end: 10 }];
    const { llmTitle } = await import('../../src/summary/llm-summary.ts');
    const title = await llmTitle(client(), topics);
    expect(title).toBe('Meeting about Budget');
    expect(llm.requests).toHaveLength(3);
    const third = llm.requests[2].messages;
    expect(third.at(-1)!.content).toMatch(/title: .*expected string/i);
    expect(third.at(-3)!.content).toMatch(/not JSON/);
  });

  it('gives up with a clear error after the parse retries', async () => {
    llm.respond(() => '{"wrong": true}');
    await expect(llmTopics(client({ parseRetries: 1 }), lines)).rejects.toThrow(/no valid answer for topics after 2 attempts/);
  });

  it('retries server errors, then reports them', async () => {
    llm.requests.length = 0;
    llm.respond((_r, n) => (n === 1 ? { status: 500 } : undefined));
    await expect(llmTopics(client(), lines)).resolves.toHaveLength(3);
    expect(llm.requests).toHaveLength(2);
    llm.respond(() => ({ status: 503 }));
    const err = await llmTopics(client({ requestRetries: 1 }), lines).catch((e) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(err.message).toMatch(/answered 503/);
  });

  it('times out a server that never answers', async () => {
    llm.respond(() => 'hang');
    const started = Date.now();
    const err = await llmTopics(client({ timeoutSeconds: 0.5, requestRetries: 1 }), lines).catch((e) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
