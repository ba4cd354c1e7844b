// The HTTP clients against servers that speak the reference model service's and OpenAI's wire formats.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelServiceAsr } from '../src/remote/model-service-asr.ts';
import { OpenAiAsr, transcriptionsUrl } from '../src/remote/openai-asr.ts';
import { ModelServiceDiarization } from '../src/remote/model-service-diarization.ts';
import { ModelServiceTranslation } from '../src/remote/model-service-translation.ts';
import { publishFileOverHttp } from '../src/remote/publish-file.ts';
import { pcmToWav } from '../src/remote/wav.ts';
import { SpeechError } from '../src/types.ts';
import { json, startFakeServer, type FakeServer } from './remote-fake-server.ts';

const KEY = 'sekret-key';

function tone(seconds: number): Float32Array {
  const pcm = new Float32Array(Math.round(seconds * 16000));
  for (let i = 0; i < pcm.length; i++) pcm[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000);
  return pcm;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'remote-clients-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ModelServiceAsr against the reference wire format', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer(async ({ url, headers, request }) => {
      if (headers.get('authorization') !== `Bearer ${KEY}`) return json({ detail: 'Invalid API key' }, 401);
      if (url.pathname === '/v1/audio/transcriptions') {
        const form = await request.formData();
        const file = form.get('file') as File;
        const bytes = Buffer.from(await file.arrayBuffer());
        return json({
          text: ` heard ${bytes.length} bytes`,
          words: [
            { word: ' heard', start: 0.1, end: 0.4 },
            { word: ` ${form.get('language')}`, start: 0.5, end: 0.9 },
          ],
          filename: file.name,
        });
      }
      if (url.pathname === '/v1/audio/transcriptions-from-url') {
        const body = (await request.json()) as Record<string, unknown>;
        const off = Number(body.timestamp_offset);
        return json({ text: `${body.audio_file_url} ${body.language} ${body.model}`, words: [{ word: ' url', start: off + 1, end: off + 1.5 }] });
      }
      if (url.pathname === '/slow/v1/audio/transcriptions') {
        await new Promise((r) => setTimeout(r, 1500));
        return json({ text: '', words: [] });
      }
      return json({ detail: 'Not Found' }, 404);
    });
  });
  afterAll(() => server.close());

  it('uploads a clip as WAV with model and language, and shifts word times by the offset', async () => {
    const asr = new ModelServiceAsr({ url: server.url + '/', apiKey: KEY, model: 'large-v2' });
    const res = await asr.transcribe(tone(1), { language: 'de', timestampOffset: 10 });
    expect(res.language).toBe('de');
    expect(res.text).toBe(`heard ${44 + 32000} bytes`);
    expect(res.words).toEqual([
      { text: ' heard', start: 10.1, end: 10.4 },
      { text: ' de', start: 10.5, end: 10.9 },
    ]);
    expect(asr.id).toBe('modal');
    expect(asr.quality).toBe('best');
  });

  it('sends the model and a RIFF file, and reports what the service answered', async () => {
    const seen: unknown[] = [];
    const echo = await startFakeServer(async ({ request }) => {
      const form = await request.formData();
      const file = form.get('file') as File;
      seen.push({ model: form.get('model'), language: form.get('language'), name: file.name, riff: Buffer.from(await file.arrayBuffer()).subarray(0, 4).toString() });
      return json({ text: '', words: [] });
    });
    try {
      await new ModelServiceAsr({ url: echo.url, model: 'parakeet' }).transcribe(tone(0.2));
      expect(seen).toEqual([{ model: 'parakeet', language: 'en', name: 'clip.wav', riff: 'RIFF' }]);
    } finally {
      await echo.close();
    }
  });

  it('streams a whole file from disk, keeping its name', async () => {
    const path = join(dir, 'meeting.wav');
    await writeFile(path, pcmToWav(tone(2)));
    const res = await new ModelServiceAsr({ url: server.url, apiKey: KEY }).transcribeFile(path, { language: 'en' });
    expect(res.text).toBe(`heard ${44 + 64000} bytes`);
  });

  it('asks the service to fetch a URL, passing offset, language and model', async () => {
    const res = await new ModelServiceAsr({ url: server.url, apiKey: KEY, model: 'm1' }).transcribeUrl('http://storage/x.mp3', {
      language: 'fr',
      timestampOffset: 30,
    });
    expect(res.text).toBe('http://storage/x.mp3 fr m1');
    expect(res.words).toEqual([{ text: ' url', start: 31, end: 31.5 }]);
  });

  it('turns a 401 into an error naming the status, the reason and the fix', async () => {
    const asr = new ModelServiceAsr({ url: server.url, apiKey: 'wrong' });
    const err = (await asr.transcribe(tone(0.2)).catch((e: unknown) => e)) as SpeechError;
    expect(err).toBeInstanceOf(SpeechError);
    expect(err.message).toMatch(/HTTP 401 Invalid API key \(check the API key\)/);
    expect(err.message).toContain('/v1/audio/transcriptions');
  });

  it('times out with a clear message', async () => {
    const asr = new ModelServiceAsr({ url: server.url + '/slow', apiKey: KEY, timeoutMs: 300 });
    await expect(asr.transcribe(tone(0.2))).rejects.toThrow(/no answer within/);
  });

  it('reports an unreachable service', async () => {
    const gone = await startFakeServer(() => json({}));
    await gone.close();
    const asr = new ModelServiceAsr({ url: gone.url });
    const err = (await asr.transcribe(tone(0.2)).catch((e: unknown) => e)) as SpeechError;
    expect(err.kind).toBe('unavailable');
    expect(err.message).toMatch(/cannot reach the service \(ECONNREFUSED\)/);
  });
});

describe('OpenAiAsr against the OpenAI wire format', () => {
  let server: FakeServer;
  const seen: Record<string, unknown>[] = [];
  beforeAll(async () => {
    server = await startFakeServer(async ({ url, headers, request }) => {
      const form = await request.formData();
      seen.push({
        path: url.pathname,
        auth: headers.get('authorization'),
        model: form.get('model'),
        format: form.get('response_format'),
        granularities: form.getAll('timestamp_granularities[]'),
        language: form.get('language'),
        type: (form.get('file') as File).type,
      });
      if (form.get('model') === 'segments-only') {
        return json({ task: 'transcribe', language: 'english', duration: 2, text: 'hello big world', segments: [{ id: 0, start: 0, end: 1.5, text: ' hello big world' }] });
      }
      return json({
        task: 'transcribe',
        language: 'german',
        duration: 2,
        text: 'Hallo Welt',
        words: [
          { word: 'Hallo', start: 0.2, end: 0.6 },
          { word: 'Welt', start: 0.7, end: 1.1 },
        ],
      });
    });
  });
  afterAll(() => server.close());

  it('builds the endpoint from the usual base URL forms', () => {
    expect(transcriptionsUrl('https://api.openai.com/v1')).toBe('https://api.openai.com/v1/audio/transcriptions');
    expect(transcriptionsUrl('http://h:8000/')).toBe('http://h:8000/v1/audio/transcriptions');
    expect(transcriptionsUrl('http://h/v1/audio/transcriptions')).toBe('http://h/v1/audio/transcriptions');
  });

  it('asks for verbose_json with word timestamps and maps the answer to words', async () => {
    const asr = new OpenAiAsr({ url: server.url + '/v1', apiKey: 'k', model: 'whisper-large' });
    const res = await asr.transcribe(tone(1), { language: 'auto', timestampOffset: 5 });
    expect(seen.at(-1)).toEqual({
      path: '/v1/audio/transcriptions',
      auth: 'Bearer k',
      model: 'whisper-large',
      format: 'verbose_json',
      granularities: ['word', 'segment'],
      language: null,
      type: 'audio/wav',
    });
    expect(res).toEqual({
      text: 'Hallo Welt',
      language: 'de',
      words: [
        { text: 'Hallo', start: 5.2, end: 5.6 },
        { text: ' Welt', start: 5.7, end: 6.1 },
      ],
    });
  });

  it('passes a given language and falls back to segment times when the endpoint gives no words', async () => {
    const asr = new OpenAiAsr({ url: server.url, model: 'segments-only' });
    const res = await asr.transcribe(tone(1), { language: 'en' });
    expect(seen.at(-1)!.language).toBe('en');
    expect(res.words.map((w) => w.text)).toEqual(['hello', ' big', ' world']);
    expect(res.words[0].start).toBe(0);
    expect(res.words[2].end).toBe(1.5);
    for (let i = 1; i < res.words.length; i++) expect(res.words[i].start).toBeCloseTo(res.words[i - 1].end, 2);
  });
});

describe('ModelServiceDiarization against the reference wire format', () => {
  let server: FakeServer;
  let audioPath: string;
  beforeAll(async () => {
    audioPath = join(dir, 'two.wav');
    await writeFile(audioPath, pcmToWav(tone(1)));
    server = await startFakeServer(async ({ url, headers }) => {
      if (url.pathname !== '/diarize') return json({ detail: 'Not Found' }, 404);
      if (headers.get('authorization') !== `Bearer ${KEY}`) return json({ detail: 'Invalid API key' }, 401);
      const audioUrl = url.searchParams.get('audio_file_url');
      if (!audioUrl) return json({ detail: [{ type: 'missing', loc: ['query', 'audio_file_url'], msg: 'Field required' }] }, 422);
      // Like the reference: fetch the audio by URL before answering.
      const audio = await fetch(audioUrl);
      const size = (await audio.arrayBuffer()).byteLength;
      const ts = Number(url.searchParams.get('timestamp'));
      return json({
        diarization: [
          { start: ts + 0.0, end: ts + 0.5, speaker: 0 },
          { start: ts + 0.5, end: ts + size / 32000, speaker: 1 },
        ],
      });
    });
  });
  afterAll(() => server.close());

  it('serves a local file by URL for the duration of the call', async () => {
    const publish = publishFileOverHttp();
    const d = new ModelServiceDiarization({ url: server.url, apiKey: KEY, publishFile: publish });
    const segments = await d.diarizeFile(audioPath);
    expect(segments).toEqual([
      { start: 0, end: 0.5, speaker: 0 },
      { start: 0.5, end: (44 + 32000) / 32000, speaker: 1 },
    ]);
    const audioUrl = server.received.at(-1)!.url.searchParams.get('audio_file_url')!;
    expect(audioUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/audio\.wav$/);
    // Released after the call.
    await expect(fetch(audioUrl)).rejects.toThrow();
  });

  it('passes a URL and a timestamp through', async () => {
    const published = await publishFileOverHttp()(audioPath);
    try {
      const segments = await new ModelServiceDiarization({ url: server.url, apiKey: KEY }).diarizeUrl(published.url, { timestamp: 100 });
      expect(segments[0]).toEqual({ start: 100, end: 100.5, speaker: 0 });
      expect(server.received.at(-1)!.url.searchParams.get('timestamp')).toBe('100');
    } finally {
      await published.release();
    }
  });

  it('explains that the reference service needs a URL when uploading is refused', async () => {
    const d = new ModelServiceDiarization({ url: server.url, apiKey: KEY });
    await expect(d.diarizeFile(audioPath)).rejects.toThrow(/HTTP 422 query\.audio_file_url: Field required.*give the recording a URL/);
  });
});

describe('ModelServiceTranslation against the reference wire format', () => {
  let server: FakeServer;
  const seen: { query: Record<string, string>; body: unknown }[] = [];
  beforeAll(async () => {
    server = await startFakeServer(async ({ url, request }) => {
      const body = (await request.json()) as { source_language?: string; target_language?: string; text?: string };
      seen.push({ query: Object.fromEntries(url.searchParams), body });
      const text = url.searchParams.get('text') ?? body.text ?? '';
      const src = body.source_language ?? 'en';
      const tgt = body.target_language ?? 'fr';
      return json({ text: { [src]: text, [tgt]: `[${tgt}] ${text}` } });
    });
  });
  afterAll(() => server.close());

  it('sends the languages in the body and in the query, and returns the target text', async () => {
    const t = new ModelServiceTranslation({ url: server.url });
    expect(await t.translate('hello there', 'en', 'de')).toBe('[de] hello there');
    expect(seen.at(-1)).toEqual({
      query: { text: 'hello there', source_language: 'en', target_language: 'de' },
      body: { source_language: 'en', target_language: 'de' },
    });
  });

  it('moves long texts into the body instead of the URL', async () => {
    const long = 'word '.repeat(2000).trim();
    expect(await new ModelServiceTranslation({ url: server.url }).translate(long, 'en', 'es')).toBe(`[es] ${long}`);
    expect(seen.at(-1)!.query.text).toBeUndefined();
    expect((seen.at(-1)!.body as { text: string }).text).toBe(long);
  });

  it('does not call the service when the languages are equal', async () => {
    const before = seen.length;
    expect(await new ModelServiceTranslation({ url: server.url }).translate('same', 'en', 'en')).toBe('same');
    expect(seen.length).toBe(before);
  });
});
