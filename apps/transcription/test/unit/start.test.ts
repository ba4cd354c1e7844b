// The `reflector transcription` entry point: configuration from the environment, engines from the factory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSize, serviceConfigFromEnv, startTranscriptionService } from '../../src/index.ts';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'transcription-start-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('serviceConfigFromEnv', () => {
  it('defaults to port 8000, all interfaces, 2 GB uploads and no key', () => {
    expect(serviceConfigFromEnv({})).toEqual({ port: 8000, host: '0.0.0.0', apiKey: undefined, maxUploadBytes: 2 * 1024 ** 3, tmpDir: undefined });
  });

  it('reads sizes with units and rejects nonsense with the variable name', () => {
    expect(parseSize('500M', 'X')).toBe(500 * 1024 ** 2);
    expect(parseSize('1.5gb', 'X')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('1048576', 'X')).toBe(1048576);
    expect(() => serviceConfigFromEnv({ MAX_UPLOAD_SIZE: 'lots' })).toThrow(/MAX_UPLOAD_SIZE must be a size such as 2G/);
    expect(() => serviceConfigFromEnv({ PORT: 'http' })).toThrow(/PORT must be a port number/);
  });
});

describe('startTranscriptionService', () => {
  it('starts with the basic engines when no model is installed, and honours the API key', async () => {
    const svc = await startTranscriptionService({
      PORT: '0',
      HOST: '127.0.0.1',
      MODELS_DIR: join(work, 'models'),
      REFLECTOR_GPU_APIKEY: 'k1',
      MAX_UPLOAD_SIZE: '10M',
      LOG_LEVEL: 'silent',
    }, { handleSignals: false });
    try {
      expect(svc.engines.describe.asr).toMatchObject({ id: 'pocketsphinx', quality: 'basic' });
      expect(svc.engines.describe.diarization).toMatchObject({ id: 'classical', quality: 'basic' });
      const health = (await (await fetch(`${svc.url}/health`)).json()) as { asr: { id: string }[] };
      expect(health.asr[0].id).toBe('pocketsphinx');
      expect((await fetch(`${svc.url}/translate?text=hi`, { method: 'POST' })).status).toBe(401);
      const ok = await fetch(`${svc.url}/translate?text=hi`, { method: 'POST', headers: { authorization: 'Bearer k1' } });
      expect(await ok.json()).toEqual({ text: { en: 'hi', fr: 'hi' } });
    } finally {
      await svc.close();
    }
  });

  it('fails to start with a clear message when a backend is misconfigured', async () => {
    await expect(startTranscriptionService({ PORT: '0', TRANSCRIPT_BACKEND: 'modal', LOG_LEVEL: 'silent' })).rejects.toThrow(/needs TRANSCRIPT_URL/);
  });
});
