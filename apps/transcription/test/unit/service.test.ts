// Contract of the model service (the reference GPU container's API) with real engines: pocketsphinx on
// festival speech, classical diarization on a two-voice meeting, passthrough translation.
import { openAsBlob } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PocketsphinxEngine } from '@reflector/speech/engines/pocketsphinx';
import { ClassicalDiarizer } from '@reflector/speech/diarization/classical';
import { PassthroughTranslation } from '@reflector/speech/translation/passthrough';
import { publishFileOverHttp, type PublishedFile } from '@reflector/speech/remote/publish-file';
import { synthesizeMeeting, type SynthMeeting } from '@reflector/speech/testing/synth-meeting';
import { createTranscriptionApp } from '../../src/index.ts';

interface WireWord {
  word: string;
  start: number;
  end: number;
}
interface WireResult {
  text: string;
  words: WireWord[];
  filename?: string;
}

const MAX_UPLOAD = 2 * 1024 * 1024;
const KEY = 'gpu-secret';

let work: string;
let tmp: string;
let speech: SynthMeeting;
let meeting: SynthMeeting;
let yes: SynthMeeting;
let single: WireResult;
let app: FastifyInstance;
let url: string;
let secured: FastifyInstance;
let securedUrl: string;
let files: Server;
let filesUrl: string;

async function upload(
  path: string,
  opts: { name?: string; field?: string; fields?: Record<string, string>; base?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const form = new FormData();
  form.append(opts.field ?? 'file', await openAsBlob(path), opts.name ?? 'speech.wav');
  for (const [k, v] of Object.entries(opts.fields ?? {})) form.append(k, v);
  return fetch(`${opts.base ?? url}/v1/audio/transcriptions`, { method: 'POST', body: form, headers: opts.headers });
}

function expectWellFormed(words: WireWord[]): void {
  expect(words.length).toBeGreaterThan(0);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    expect(w.end).toBeGreaterThanOrEqual(w.start);
    expect(Math.round(w.start * 100) / 100).toBe(w.start);
    expect(Math.round(w.end * 100) / 100).toBe(w.end);
    if (i > 0) expect(w.start).toBeGreaterThanOrEqual(words[i - 1].end);
  }
}

/** Serves test files; /missing.wav is a 404 like an expired storage object. */
async function startFileServer(dir: string): Promise<{ server: Server; url: string }> {
  const published = new Map<string, PublishedFile>();
  const server = createServer((req, res) => {
    void (async () => {
      const name = (req.url ?? '').slice(1);
      if (name === 'missing.wav') return res.writeHead(404).end('no such object');
      let p = published.get(name);
      if (!p) {
        p = await publishFileOverHttp()(join(dir, name));
        published.set(name, p);
      }
      res.writeHead(307, { location: p.url }).end();
    })().catch(() => res.writeHead(500).end());
  });
  server.on('close', () => void Promise.all([...published.values()].map((p) => p.release())));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'transcription-service-'));
  tmp = join(work, 'requests');
  await mkdir(tmp);
  speech = await synthesizeMeeting({
    name: 'speech',
    outDir: work,
    turns: [
      { speaker: 'slt', text: 'Good morning everyone, let us start the weekly planning meeting.' },
      { speaker: 'slt', text: 'The first subject today is hiring for the mobile team.' },
    ],
    gaps: 1.2,
  });
  meeting = await synthesizeMeeting({
    name: 'meeting',
    outDir: work,
    turns: [
      { speaker: 'slt', text: 'Good morning everyone, let us start the weekly planning meeting.' },
      { speaker: 'kal', text: 'The first subject today is hiring for the mobile team.' },
      { speaker: 'slt', text: 'We have budget for two more engineers before the end of the quarter.' },
      { speaker: 'kal', text: 'I would like one of them to have experience with payments.' },
      { speaker: 'slt', text: 'The recruiting agency sent us five candidates last week.' },
      { speaker: 'kal', text: 'Two of them looked strong, and I will interview them on Thursday.' },
    ],
  });
  yes = await synthesizeMeeting({ name: 'yes', outDir: work, turns: [{ speaker: 'slt', text: 'yes' }], padding: 0.05 });
  const engines = { asr: new PocketsphinxEngine(), diarization: new ClassicalDiarizer(), translation: new PassthroughTranslation() };
  app = await createTranscriptionApp({ ...engines, maxUploadBytes: MAX_UPLOAD, tmpDir: tmp });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
  secured = await createTranscriptionApp({ ...engines, apiKey: KEY, tmpDir: tmp });
  securedUrl = await secured.listen({ port: 0, host: '127.0.0.1' });
  ({ server: files, url: filesUrl } = await startFileServer(work));
}, 120_000);

afterAll(async () => {
  await app?.close();
  await secured?.close();
  await new Promise<void>((r) => (files ? files.close(() => r()) : r()));
  await rm(work, { recursive: true, force: true });
});

describe('POST /v1/audio/transcriptions', () => {

  it('transcribes one file into text and timed words', async () => {
    const res = await upload(speech.wavPath, { name: 'standup.wav', fields: { model: 'large-v2', language: 'en' } });
    expect(res.status).toBe(200);
    single = (await res.json()) as WireResult;
    expect(single.filename).toBe('standup.wav');
    expect(single.text).toMatch(/good morning everyone/);
    expect(single.text).toMatch(/planning meeting/);
    expect(single.text).toMatch(/mobile team/);
    expectWellFormed(single.words);
    expect(single.words.map((w) => w.word).join('').trim()).toBe(single.text);
    // Word times land inside the turns the synthesiser placed.
    const morning = single.words.find((w) => w.word.trim() === 'morning')!;
    expect(morning.start).toBeGreaterThanOrEqual(speech.turns[0].start - 0.1);
    expect(morning.end).toBeLessThanOrEqual(speech.turns[0].end + 0.1);
    const mobile = single.words.find((w) => w.word.trim() === 'mobile')!;
    expect(mobile.start).toBeGreaterThanOrEqual(speech.turns[1].start - 0.1);
    expect(mobile.end).toBeLessThanOrEqual(speech.turns[1].end + 0.1);
  });

  it('transcribes several files into results in upload order', async () => {
    const form = new FormData();
    form.append('files', await openAsBlob(yes.wavPath), 'one.wav');
    form.append('files', await openAsBlob(speech.wavPath), 'two.wav');
    const res = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: WireResult[] };
    expect(body.results.map((r) => r.filename)).toEqual(['one.wav', 'two.wav']);
    expect(body.results[0].text).toBe('yes');
    expect(body.results[1].text).toBe(single.text);
    expect(body.results[1].words).toEqual(single.words);
  });

  it('accepts batch=true with files, and refuses it with a single file', async () => {
    const form = new FormData();
    form.append('files', await openAsBlob(yes.wavPath), 'batched.wav');
    form.append('batch', 'true');
    const res = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: WireResult[] };
    expect(body.results).toEqual([{ text: 'yes', words: [expect.objectContaining({ word: 'yes' })], filename: 'batched.wav' }]);

    const bad = await upload(yes.wavPath, { fields: { batch: 'true' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/batch=true needs the audio in the "files" field/);
  });

  it('pads clips shorter than half a second', async () => {
    expect(yes.duration).toBeLessThan(0.5);
    const res = await upload(yes.wavPath, { name: 'yes.wav' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as WireResult;
    expect(body.text).toBe('yes');
    expect(body.words[0].end).toBeLessThanOrEqual(0.5);
  });
});

describe('POST /v1/audio/transcriptions-from-url', () => {
  it('downloads, transcribes and shifts every word by timestamp_offset', async () => {
    const direct = single;
    const res = await fetch(`${url}/v1/audio/transcriptions-from-url`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ audio_file_url: `${filesUrl}/speech.wav`, language: 'en', timestamp_offset: 120.5 }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as WireResult;
    expect(body.text).toBe(direct.text);
    expectWellFormed(body.words);
    expect(body.words.map((w) => w.word)).toEqual(direct.words.map((w) => w.word));
    body.words.forEach((w, i) => {
      expect(w.start).toBeCloseTo(direct.words[i].start + 120.5, 1);
      expect(w.end).toBeCloseTo(direct.words[i].end + 120.5, 1);
    });
  });

  it('answers 404 when the recording does not exist', async () => {
    const res = await fetch(`${url}/v1/audio/transcriptions-from-url`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ audio_file_url: `${filesUrl}/missing.wav` }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/audio file not found: .*missing\.wav answered 404/);
  });

  it('answers 422 without audio_file_url and 400 for a URL that is not http', async () => {
    const post = (body: unknown) =>
      fetch(`${url}/v1/audio/transcriptions-from-url`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ language: 'en' })).status).toBe(422);
    const ftp = await post({ audio_file_url: 'ftp://example.org/a.mp3' });
    expect(ftp.status).toBe(400);
    expect(((await ftp.json()) as { detail: string }).detail).toMatch(/must be http/);
  });
});

describe('POST /diarize', () => {
  function speakerOfTurn(segments: { start: number; end: number; speaker: number }[], turn: { start: number; end: number }, offset = 0): number {
    const overlap = new Map<number, number>();
    for (const s of segments) {
      const o = Math.min(s.end, turn.end + offset) - Math.max(s.start, turn.start + offset);
      if (o > 0) overlap.set(s.speaker, (overlap.get(s.speaker) ?? 0) + o);
    }
    return [...overlap.entries()].sort((a, b) => b[1] - a[1])[0][0];
  }

  it('finds the two voices of a synthetic meeting, shifted by timestamp', async () => {
    const q = new URLSearchParams({ audio_file_url: `${filesUrl}/meeting.wav`, timestamp: '60' });
    const res = await fetch(`${url}/diarize?${q}`, { method: 'POST' });
    expect(res.status).toBe(200);
    const { diarization } = (await res.json()) as { diarization: { start: number; end: number; speaker: number }[] };
    expect(new Set(diarization.map((s) => s.speaker))).toEqual(new Set([0, 1]));
    for (const s of diarization) {
      expect(Number.isInteger(s.speaker)).toBe(true);
      expect(s.start).toBeGreaterThanOrEqual(60);
      expect(s.end).toBeLessThanOrEqual(60 + meeting.duration + 0.01);
      expect(Math.round(s.start * 1000) / 1000).toBe(s.start);
    }
    const byTurn = meeting.turns.map((t) => speakerOfTurn(diarization, t, 60));
    // Turns alternate slt/kal: every slt turn has one label, every kal turn the other.
    expect(byTurn).toEqual(meeting.turns.map((t) => (t.speakerIndex === 0 ? byTurn[0] : 1 - byTurn[0])));
  });

  it('also takes the recording as an upload', async () => {
    const form = new FormData();
    form.append('file', await openAsBlob(meeting.wavPath), 'meeting.wav');
    const res = await fetch(`${url}/diarize`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const { diarization } = (await res.json()) as { diarization: { speaker: number }[] };
    expect(new Set(diarization.map((s) => s.speaker)).size).toBe(2);
  });

  it('answers 404 for a missing recording', async () => {
    const res = await fetch(`${url}/diarize?audio_file_url=${encodeURIComponent(`${filesUrl}/missing.wav`)}`, { method: 'POST' });
    expect(res.status).toBe(404);
  });
});

describe('POST /translate', () => {
  it('returns source and target texts, languages from the JSON body', async () => {
    const res = await fetch(`${url}/translate?text=${encodeURIComponent('Good morning everyone')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source_language: 'en', target_language: 'de' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ text: { en: 'Good morning everyone', de: 'Good morning everyone' } });
  });

  it('reads languages from the query as the reference server sends them, defaulting to en→fr', async () => {
    const q = await fetch(`${url}/translate?text=hola&source_language=es&target_language=en`, { method: 'POST' });
    expect(await q.json()).toEqual({ text: { es: 'hola', en: 'hola' } });
    const d = await fetch(`${url}/translate?text=hello`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(await d.json()).toEqual({ text: { en: 'hello', fr: 'hello' } });
  });

  it('refuses a missing text and a malformed language', async () => {
    expect((await fetch(`${url}/translate`, { method: 'POST' })).status).toBe(422);
    const bad = await fetch(`${url}/translate?text=a&target_language=${encodeURIComponent('<script>')}`, { method: 'POST' });
    expect(bad.status).toBe(400);
  });
});

describe('API key', () => {
  it('answers 401 without the key or with a wrong one, and serves with it', async () => {
    const none = await upload(yes.wavPath, { base: securedUrl });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ detail: 'Invalid API key' });
    const wrong = await fetch(`${securedUrl}/translate?text=x`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ detail: 'Invalid API key' });
    const diarize = await fetch(`${securedUrl}/diarize?audio_file_url=x`, { method: 'POST' });
    expect(diarize.status).toBe(401);
    const ok = await fetch(`${securedUrl}/translate?text=x`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });
    expect(ok.status).toBe(200);
  });

  it('keeps health and docs open', async () => {
    expect((await fetch(`${securedUrl}/health`)).status).toBe(200);
    expect((await fetch(`${securedUrl}/docs`)).status).toBe(200);
    expect((await fetch(`${securedUrl}/openapi.json`)).status).toBe(200);
  });

  it('is off when no key is configured', async () => {
    const res = await fetch(`${url}/translate?text=x`, { method: 'POST' });
    expect(res.status).toBe(200);
  });
});

describe('bad input', () => {
  async function detail(res: Response): Promise<string> {
    return ((await res.json()) as { detail: string }).detail;
  }

  it('400 when no file is sent', async () => {
    const form = new FormData();
    form.append('model', 'large-v2');
    const res = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body: form });
    expect(res.status).toBe(400);
    expect(await detail(res)).toMatch(/no audio file in the request/);
    const notMultipart = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(notMultipart.status).toBe(400);
    expect(await detail(notMultipart)).toMatch(/multipart\/form-data/);
  });

  it('400 for an extension that is not audio or video', async () => {
    const res = await upload(speech.wavPath, { name: 'notes.txt' });
    expect(res.status).toBe(400);
    expect(await detail(res)).toMatch(/unsupported file type "\.txt" for "notes\.txt": use one of mp3, mp4, mpeg, mpga, m4a, wav, webm/);
  });

  it('400 with ffmpeg\'s reason for a text file named .wav', async () => {
    const fake = join(work, 'fake.wav');
    await writeFile(fake, 'these are meeting notes, not audio\n'.repeat(50));
    const res = await upload(fake, { name: 'fake.wav' });
    expect(res.status).toBe(400);
    expect(await detail(res)).toMatch(/cannot read media file: .*(Invalid data found|invalid)/i);
  });

  it('413 with the limit for an upload over the size limit', async () => {
    const big = join(work, 'big.wav');
    await writeFile(big, Buffer.alloc(MAX_UPLOAD + 512 * 1024, 1));
    const res = await upload(big, { name: 'big.wav' });
    expect(res.status).toBe(413);
    expect(await detail(res)).toMatch(/upload too large: the limit is 2 MB per file/);
  });

  it('keeps serving after every failure, and leaves no temporary files', async () => {
    const res = await upload(yes.wavPath);
    expect(res.status).toBe(200);
    expect(((await res.json()) as WireResult).text).toBe('yes');
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(await readdir(tmp)).toEqual([]);
  });
});

describe('service pages', () => {
  it('serves health, docs and the OpenAPI document', async () => {
    const health = (await (await fetch(`${url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: 'ok',
      asr: [{ id: 'pocketsphinx', quality: 'basic', languages: ['en'] }],
      diarization: { id: 'classical' },
      translation: { id: 'passthrough' },
    });
    const docs = await fetch(`${url}/docs`, { redirect: 'follow' });
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger/i);
    const spec = (await (await fetch(`${url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/audio/transcriptions', '/v1/audio/transcriptions-from-url', '/diarize', '/translate', '/health']),
    );
  });
});
