// The pipeline with its engines behind this project's own transcription service, as a team with a GPU machine
// runs it (TRANSCRIPT_BACKEND, DIARIZATION_BACKEND and TRANSLATION_BACKEND set to `modal`, each with its URL
// and key): recognition gets the recording as an upload, diarization as a signed storage URL it downloads.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { buildDialogue, ClassicalDiarizer, PocketsphinxEngine, synthesizeMeeting, wordErrorRate, type SynthMeeting } from '@reflector/speech';
import { LlmTranslation } from '@reflector/speech/translation/llm';
import { createTranscriptionApp } from '@reflector/transcription';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../support/fake-llm.ts';
import { uploadInChunks } from '../support/media.ts';
import { api, startTestPlatform, TEST_MODE, waitFor, type TestPlatform } from './harness.ts';

const KEY = 'model-service-key';

/** A port nobody listens on yet: an embedded platform's storage URLs must name its address before it starts. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe(`file pipeline through a transcription service (${TEST_MODE})`, () => {
  let meeting: SynthMeeting;
  let llm: FakeLlm;
  let service: FastifyInstance;
  let p: TestPlatform;
  let url: string;
  const calls = { transcribe: 0, diarize: [] as string[], translate: 0 };
  const requests: string[] = [];

  beforeAll(async () => {
    meeting = await synthesizeMeeting({ turns: buildDialogue({ speakers: ['slt', 'kal'], minutes: 1, seed: 7 }), name: 'pipeline-2spk' });
    llm = await startFakeLlm();
    // Real engines behind the service; the wrappers only count what reached them.
    const asr = new PocketsphinxEngine();
    const transcribe = asr.transcribe.bind(asr);
    asr.transcribe = (pcm, opts) => (calls.transcribe++, transcribe(pcm, opts));
    const diarization = new ClassicalDiarizer();
    const diarizeFile = diarization.diarizeFile.bind(diarization);
    diarization.diarizeFile = (file, opts) => (calls.diarize.push(file), diarizeFile(file, opts));
    const translation = new LlmTranslation({ url: llm.url, model: 'fake-model' });
    const translate = translation.translate.bind(translation);
    translation.translate = (text, from, to, opts) => (calls.translate++, translate(text, from, to, opts));
    // The service's request log tells which routes were called and with which URL.
    const logger = { level: 'info', stream: { write: (line: string) => requests.push(...[JSON.parse(line).req?.url].filter(Boolean)) } };
    service = await createTranscriptionApp({ asr, diarization, translation, apiKey: KEY, logger });

    url = await service.listen({ port: 0, host: '127.0.0.1' });
    p = await startWithService(KEY);
  }, 300_000);
  afterAll(async () => {
    await p?.stop();
    await service?.close();
    await llm?.close();
  });

  async function startWithService(diarizationKey: string): Promise<TestPlatform> {
    const port = await freePort();
    return startTestPlatform({
      env: {
        PORT: String(port),
        BASE_URL: `http://127.0.0.1:${port}`,
        TRANSCRIPT_BACKEND: 'modal',
        TRANSCRIPT_URL: url,
        TRANSCRIPT_MODAL_API_KEY: KEY,
        DIARIZATION_BACKEND: 'modal',
        DIARIZATION_URL: url,
        DIARIZATION_MODAL_API_KEY: diarizationKey,
        TRANSLATION_BACKEND: 'modal',
        TRANSLATE_URL: url,
        TRANSLATE_MODAL_API_KEY: KEY,
      },
    });
  }

  async function processRecording(platform: TestPlatform) {
    const created = await api(platform.url, 'POST', '/v1/transcripts', { name: 'Remote engines', source_kind: 'file', target_language: 'fr' });
    const id = created.body.id as string;
    await uploadInChunks(platform.url, id, meeting.wavPath, 512 * 1024, 'meeting.wav');
    const t = await waitFor(async () => {
      const r = await api(platform.url, 'GET', `/v1/transcripts/${id}?transcript_format=json`);
      return ['ended', 'error'].includes(r.body.status) ? r.body : null;
    }, 240_000, 'the recording to be processed');
    return { id, t };
  }

  it('gets words, speakers and a translation from the service and leaves nothing published', async () => {
    const { id, t } = await processRecording(p);
    expect(t.status).toBe('ended');
    expect(t.error).toBeNull();

    expect(calls.transcribe).toBeGreaterThan(0);
    expect(calls.translate).toBeGreaterThan(0);
    expect(calls.diarize).toHaveLength(1);
    expect(requests.filter((u) => u.startsWith('/v1/audio/transcriptions'))).toEqual(['/v1/audio/transcriptions']);
    const diarize = requests.filter((u) => u.startsWith('/diarize'));
    expect(diarize).toHaveLength(1);
    const published = new URL(diarize[0], 'http://service').searchParams.get('audio_file_url')!;
    expect(published).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);

    const segments = t.transcript as Array<{ speaker: number; text: string }>;
    expect(wordErrorRate(meeting.transcript, segments.map((s) => s.text).join(' ')).wer).toBeLessThan(0.2);
    expect(new Set(segments.map((s) => s.speaker)).size).toBe(2);
    const topics = (await api(p.url, 'GET', `/v1/transcripts/${id}/topics`)).body as Array<{ translation: string | null }>;
    expect(topics.length).toBeGreaterThan(0);
    expect(topics.every((topic) => topic.translation?.startsWith('[translated] '))).toBe(true);

    const run = (await api(p.url, 'GET', `/v1/transcripts/${id}/pipeline`)).body as { stages: Array<{ stage: string; status: string }> };
    expect(run.stages.find((s) => s.stage === 'diarize')?.status).toBe('done');
    // The copy published for the service is gone once it answered, though its signature has not expired.
    expect((await fetch(published)).status).toBe(404);
  });

  it('says so when the diarization service refuses its key, and keeps the transcript with one speaker', async () => {
    const wrongKey = await startWithService('not-the-key');
    try {
      const { id, t } = await processRecording(wrongKey);
      expect(t.status).toBe('ended');
      expect(t.error).toMatch(/^diarize: .*401.*\(all words are given to one speaker\)$/m);
      // A retry cannot mend a refused key: one attempt only.
      const run = (await api(wrongKey.url, 'GET', `/v1/transcripts/${id}/pipeline`)).body as { stages: Array<{ stage: string; attempts: number }> };
      expect(run.stages.find((s) => s.stage === 'diarize')?.attempts).toBe(1);
      const segments = t.transcript as Array<{ speaker: number; text: string }>;
      expect(wordErrorRate(meeting.transcript, segments.map((s) => s.text).join(' ')).wer).toBeLessThan(0.2);
      expect(new Set(segments.map((s) => s.speaker))).toEqual(new Set([0]));
    } finally {
      await wrongKey.stop();
    }
  });
});
