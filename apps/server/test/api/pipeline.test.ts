// An uploaded synthetic meeting goes through the whole pipeline to status ended, with and without an LLM.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildDialogue, synthesizeMeeting, wordErrorRate, type SynthMeeting } from '@reflector/speech';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../support/fake-llm.ts';
import { makeTestMedia, uploadInChunks } from '../support/media.ts';
import { connect } from '../support/ws-client.ts';
import { api, startTestPlatform, TEST_MODE, waitFor, type TestPlatform } from './harness.ts';

let meeting: SynthMeeting;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'reflector-pipeline-'));
  meeting = await synthesizeMeeting({ turns: buildDialogue({ speakers: ['slt', 'kal'], minutes: 1, seed: 7 }), name: 'pipeline-2spk' });
}, 300_000);
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function uploadAndWait(p: TestPlatform, name = 'Weekly sync', targetLanguage = 'en') {
  const created = await api(p.url, 'POST', '/v1/transcripts', { name, source_kind: 'file', target_language: targetLanguage });
  expect(created.status).toBe(200);
  const id = created.body.id as string;
  const socket = connect(`${p.url.replace('http', 'ws')}/v1/transcripts/${id}/events`);
  await socket.opened;
  const responses = await uploadInChunks(p.url, id, meeting.wavPath, 512 * 1024, 'meeting.wav');
  expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
  await socket.until((m) => m.event === 'STATUS' && ['ended', 'error'].includes(m.data.value), 240_000);
  socket.ws.close();
  const t = await api(p.url, 'GET', `/v1/transcripts/${id}?transcript_format=json`);
  return { id, events: socket.messages, t: t.body };
}

const order = (events: Array<{ event: string }>, name: string) => events.findIndex((e) => e.event === name);

describe(`file pipeline with an LLM (${TEST_MODE})`, () => {
  let p: TestPlatform;
  let llm: FakeLlm;
  beforeAll(async () => {
    llm = await startFakeLlm();
    p = await startTestPlatform({ env: { LLM_URL: llm.url, LLM_MODEL: 'fake-model', LLM_REQUEST_RETRIES: '1' } });
  });
  afterAll(async () => {
    await p?.stop();
    await llm?.close();
  });

  it('turns an upload into a transcript with speakers, topics, title, summaries and action items', async () => {
    const { id, events, t } = await uploadAndWait(p);
    expect(t.status).toBe('ended');
    expect(t.error).toBeNull();

    const names = events.map((e) => e.event);
    const statuses = events.filter((e) => e.event === 'STATUS').map((e) => e.data.value);
    expect(statuses).toEqual(['uploaded', 'processing', 'ended']);
    expect(names.at(-1)).toBe('STATUS');
    expect(order(events, 'STATUS')).toBeLessThan(order(events, 'DURATION'));
    for (const e of ['DURATION', 'WAVEFORM', 'TOPIC', 'FINAL_TITLE', 'FINAL_SHORT_SUMMARY', 'FINAL_LONG_SUMMARY', 'ACTION_ITEMS', 'PROGRESS']) expect(names).toContain(e);
    expect(order(events, 'DURATION')).toBeLessThan(order(events, 'TOPIC'));
    expect(order(events, 'TOPIC')).toBeLessThan(order(events, 'FINAL_TITLE'));
    expect(order(events, 'TOPIC')).toBeLessThan(order(events, 'FINAL_LONG_SUMMARY'));
    expect(events.find((e) => e.event === 'WAVEFORM')!.data.waveform.length).toBeGreaterThanOrEqual(250);
    expect(Math.abs(events.find((e) => e.event === 'DURATION')!.data.duration / 1000 - meeting.duration)).toBeLessThan(0.5);

    expect(t.title).toMatch(/^Meeting about /);
    expect(t.long_summary).toMatch(/^## Quick recap/);
    expect(t.long_summary).toContain('(#t=');
    expect(t.action_items).toHaveProperty('next_steps');

    const segments = t.transcript as Array<{ speaker: number; text: string; start: number }>;
    const hyp = segments.map((s) => s.text).join(' ');
    const { wer } = wordErrorRate(meeting.transcript, hyp);
    expect(wer).toBeLessThan(0.2);
    // Two voices, two speakers, and each segment's speaker matches the voice speaking at that time.
    expect(new Set(segments.map((s) => s.speaker)).size).toBe(2);
    const voiceAt = (time: number) => meeting.turns.find((turn) => time >= turn.start - 0.3 && time <= turn.end + 0.3)?.speakerIndex;
    const agree = segments.filter((s) => voiceAt(s.start + 0.2) !== undefined);
    const mapping = new Map<number, number>();
    for (const s of agree) if (!mapping.has(s.speaker)) mapping.set(s.speaker, voiceAt(s.start + 0.2)!);
    const right = agree.filter((s) => mapping.get(s.speaker) === voiceAt(s.start + 0.2)).length;
    expect(right / agree.length).toBeGreaterThan(0.9);

    const run = (await api(p.url, 'GET', `/v1/transcripts/${id}/pipeline`)).body;
    expect(run.status).toBe('ended');
    expect(run.stages.map((st: { stage: string }) => st.stage).sort()).toEqual(
      ['actions', 'assemble', 'diarize', 'finish', 'notes', 'prepare', 'speakers', 'summary', 'title', 'topics', 'transcribe', 'translate'],
    );
    expect(run.stages.every((st: { status: string }) => st.status === 'done')).toBe(true);
    expect(run.stages.at(-1).stage).toBe('finish');
    // The VAD runs once, while the audio is prepared; its time is reported apart from the stage's own.
    const prepare = run.stages.find((st: { stage: string }) => st.stage === 'prepare');
    expect(prepare.inference_seconds).toBeGreaterThan(0);
    expect(prepare.inference_seconds).toBeLessThan(prepare.seconds);

    const participants = (await api(p.url, 'GET', `/v1/transcripts/${id}/participants`)).body;
    expect(participants).toHaveLength(2);

    const topics = (await api(p.url, 'GET', `/v1/transcripts/${id}/topics`)).body;
    expect(topics.length).toBeGreaterThan(0);
    expect(topics[0].timestamp).toBeLessThan(2); // the first topic starts with the first words
    const mp3 = await fetch(`${p.url}/v1/transcripts/${id}/audio/mp3`, { method: 'HEAD' });
    expect(mp3.status).toBe(200);
  });

  it('translates into the target language, and keeps transcript and topics when the LLM fails on the summary', async () => {
    llm.respond((req) => (req.response_format?.json_schema?.name === 'notes' ? { status: 500 } : undefined));
    try {
      const { id, t, events } = await uploadAndWait(p, 'LLM trouble', 'fr');
      const topics = (await api(p.url, 'GET', `/v1/transcripts/${id}/topics`)).body as Array<{ translation: string | null; transcript: string }>;
      expect(topics.every((topic) => topic.translation?.startsWith('[translated] '))).toBe(true);
      expect(t.status).toBe('ended');
      expect(t.error).toMatch(/notes: LLM request .* answered 500/);
      expect((t.transcript as unknown[]).length).toBeGreaterThan(0);
      expect(events.filter((e) => e.event === 'TOPIC').length).toBeGreaterThan(0);
      expect(t.title).toMatch(/^Meeting about /); // the title step did not depend on the failing one
    } finally {
      llm.respond(null);
    }
  });

  it('keeps a title people edited when reprocessing, and still announces the machine title', async () => {
    const { id } = await uploadAndWait(p, 'Edited later');
    await p.ctx.database.query(`UPDATE transcript SET title = 'Our own title', edited_fields = '["title"]'::jsonb WHERE id = $1`, [id]);
    const socket = connect(`${p.url.replace('http', 'ws')}/v1/transcripts/${id}/events`);
    await socket.opened;
    const r = await api(p.url, 'POST', `/v1/transcripts/${id}/process`);
    expect(r.body).toEqual({ status: 'ok' });
    await socket.until((m) => m.event === 'STATUS' && m.data.value === 'ended', 240_000);
    socket.ws.close();
    expect(socket.messages.some((m) => m.event === 'FINAL_TITLE' && m.data.title.startsWith('Meeting about'))).toBe(true);
    const t = (await api(p.url, 'GET', `/v1/transcripts/${id}`)).body;
    expect(t.title).toBe('Our own title');
    expect(t.status).toBe('ended');
  });
});

describe(`file pipeline without an LLM (${TEST_MODE})`, () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(async () => p?.stop());

  it('still produces topics, a title and an extractive summary', async () => {
    const { t, events } = await uploadAndWait(p);
    expect(t.status).toBe('ended');
    expect(t.title.length).toBeGreaterThan(3);
    expect(t.long_summary).toMatch(/^## Quick recap/);
    expect(events.filter((e) => e.event === 'TOPIC').length).toBeGreaterThan(0);
    const rows = await p.ctx.database.query<{ summary_method: string }>('SELECT summary_method FROM transcript WHERE id = $1', [t.id]);
    expect(rows[0].summary_method).toBe('extractive');
  });

  it('ends a recording without speech with an empty transcript, not an error', async () => {
    const media = await makeTestMedia(dir);
    const created = await api(p.url, 'POST', '/v1/transcripts', { name: 'Just a tone' });
    const id = created.body.id as string;
    await uploadInChunks(p.url, id, media.mp3);
    const t = await waitFor(async () => {
      const r = await api(p.url, 'GET', `/v1/transcripts/${id}?transcript_format=json`);
      return ['ended', 'error'].includes(r.body.status) ? r.body : null;
    }, 120_000, 'the tone to be processed');
    expect(t.status).toBe('ended');
    expect(t.transcript).toEqual([]);
    expect((await api(p.url, 'GET', `/v1/transcripts/${id}/topics`)).body).toEqual([]);
  });
});
