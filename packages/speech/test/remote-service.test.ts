// The HTTP clients against this project's own model service (apps/transcription) with real engines behind it.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTranscriptionApp } from '@reflector/transcription';
import { decodePcm } from '../src/audio/ffmpeg.ts';
import { ClassicalDiarizer } from '../src/diarization/classical.ts';
import { PocketsphinxEngine } from '../src/engines/pocketsphinx.ts';
import { ModelServiceAsr } from '../src/remote/model-service-asr.ts';
import { ModelServiceDiarization } from '../src/remote/model-service-diarization.ts';
import { ModelServiceTranslation } from '../src/remote/model-service-translation.ts';
import { publishFileOverHttp } from '../src/remote/publish-file.ts';
import { synthesizeMeeting, type SynthMeeting } from '../src/testing/synth-meeting.ts';
import { LlmTranslation } from '../src/translation/llm.ts';
import { SpeechError } from '../src/types.ts';
import { json, startFakeServer, type FakeServer } from './remote-fake-server.ts';

const KEY = 'service-key';
let work: string;
let speech: SynthMeeting;
let yes: SynthMeeting;
let meeting: SynthMeeting;
let llm: FakeServer;
const llmPrompts: string[] = [];
let app: FastifyInstance;
let url: string;

async function readAll(path: string): Promise<Float32Array> {
  const blocks: Float32Array[] = [];
  for await (const b of decodePcm(path)) blocks.push(b);
  const out = new Float32Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'remote-service-'));
  speech = await synthesizeMeeting({
    name: 'speech',
    turns: [{ speaker: 'slt', text: 'Good morning everyone, let us start the weekly planning meeting.' }],
  });
  yes = await synthesizeMeeting({ name: 'yes', turns: [{ speaker: 'slt', text: 'yes' }], padding: 0.05 });
  meeting = await synthesizeMeeting({
    name: 'meeting',
    turns: [
      { speaker: 'slt', text: 'Good morning everyone, let us start the weekly planning meeting.' },
      { speaker: 'kal', text: 'The first subject today is hiring for the mobile team.' },
      { speaker: 'slt', text: 'We have budget for two more engineers before the end of the quarter.' },
      { speaker: 'kal', text: 'I would like one of them to have experience with payments.' },
    ],
  });
  // The "LLM" behind the service's translation: answers in the language the prompt asks for.
  llm = await startFakeServer(async ({ request }) => {
    const body = (await request.json()) as { messages: { role: string; content: string }[] };
    const system = body.messages[0].content;
    llmPrompts.push(system);
    const target = /into ([A-Za-z]+)/.exec(system)?.[1] ?? '?';
    const user = body.messages[1].content;
    return json({ choices: [{ index: 0, message: { role: 'assistant', content: `(${target}) ${user}` }, finish_reason: 'stop' }] });
  });
  app = await createTranscriptionApp({
    asr: new PocketsphinxEngine(),
    diarization: new ClassicalDiarizer(),
    translation: new LlmTranslation({ url: llm.url, model: 'tiny' }),
    apiKey: KEY,
  });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await llm?.close();
  await rm(work, { recursive: true, force: true });
});

describe('ModelServiceAsr → our service', () => {
  it('recognises a clip sent as PCM', async () => {
    const asr = new ModelServiceAsr({ url, apiKey: KEY });
    const res = await asr.transcribe(await readAll(speech.wavPath), { language: 'en', timestampOffset: 10 });
    expect(res.text).toMatch(/good morning everyone let us start the weekly planning meeting/);
    expect(res.words[0].start).toBeGreaterThanOrEqual(10 + speech.turns[0].start - 0.1);
    expect(res.words.at(-1)!.end).toBeLessThanOrEqual(10 + speech.turns[0].end + 0.1);
  });

  it('uploads a file and has the service fetch a URL', async () => {
    const asr = new ModelServiceAsr({ url, apiKey: KEY, model: 'pocketsphinx' });
    expect((await asr.transcribeFile(yes.wavPath)).text).toBe('yes');
    const published = await publishFileOverHttp()(yes.wavPath);
    try {
      const res = await asr.transcribeUrl(published.url, { timestampOffset: 42 });
      expect(res.text).toBe('yes');
      expect(res.words[0].start).toBeGreaterThanOrEqual(42);
      expect(res.words[0].end).toBeLessThanOrEqual(42 + 0.5);
    } finally {
      await published.release();
    }
  });

  it('surfaces the service\'s reasons: bad key, broken media', async () => {
    const wrongKey = (await new ModelServiceAsr({ url, apiKey: 'nope' }).transcribeFile(yes.wavPath).catch((e: unknown) => e)) as SpeechError;
    expect(wrongKey.message).toMatch(/HTTP 401 Invalid API key/);
    const broken = join(work, 'broken.mp3');
    await writeFile(broken, 'not an mp3 at all'.repeat(20));
    const bad = (await new ModelServiceAsr({ url, apiKey: KEY }).transcribeFile(broken).catch((e: unknown) => e)) as SpeechError;
    expect(bad).toBeInstanceOf(SpeechError);
    expect(bad.kind).toBe('bad_input');
    expect(bad.message).toMatch(/HTTP 400 cannot read media file/);
  });
});

describe('ModelServiceDiarization → our service', () => {
  it('diarizes by upload and by URL, finding both voices', async () => {
    for (const publishFile of [undefined, publishFileOverHttp()]) {
      const d = new ModelServiceDiarization({ url, apiKey: KEY, publishFile });
      const segments = await d.diarizeFile(meeting.wavPath);
      expect(new Set(segments.map((s) => s.speaker))).toEqual(new Set([0, 1]));
      expect(segments.at(-1)!.end).toBeLessThanOrEqual(meeting.duration + 0.01);
    }
  });
});

describe('ModelServiceTranslation → our service', () => {
  it('passes the languages through to the engine and returns the translation', async () => {
    const t = new ModelServiceTranslation({ url, apiKey: KEY });
    expect(await t.translate('Good morning everyone', 'en', 'de')).toBe('(German) Good morning everyone');
    expect(llmPrompts.at(-1)).toMatch(/from English \(en\) into German \(de\)/);
    const long = 'Good morning. '.repeat(250).trim(); // over the query limit once URL-encoded, one LLM chunk
    expect(await t.translate(long, 'en', 'es')).toBe(`(Spanish) ${long}`);
  });
});
