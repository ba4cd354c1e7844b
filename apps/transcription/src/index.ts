// Entry points of the model service: `createTranscriptionApp` for tests and embedding, and
// `startTranscriptionService` for the `reflector transcription` role.
import type { FastifyInstance } from 'fastify';
import { createSpeechEngines, speechOptionsFromEnv, type SpeechEngines } from '@reflector/speech/factory';
import { createTranscriptionApp } from './app.ts';
import { serviceConfigFromEnv } from './config.ts';

export { createTranscriptionApp } from './app.ts';
export type { TranscriptionAppOptions } from './context.ts';
export { serviceConfigFromEnv, parseSize } from './config.ts';

export interface RunningTranscriptionService {
  app: FastifyInstance;
  url: string;
  engines: SpeechEngines;
  close(): Promise<void>;
}

export async function startTranscriptionService(env: Record<string, string | undefined> = process.env): Promise<RunningTranscriptionService> {
  const config = serviceConfigFromEnv(env);
  const engines = await createSpeechEngines(speechOptionsFromEnv(env));
  const level = env.LOG_LEVEL?.trim() || 'info';
  let app: FastifyInstance;
  try {
    app = await createTranscriptionApp({
      asr: engines.asr,
      diarization: engines.diarization,
      translation: engines.translation,
      apiKey: config.apiKey,
      maxUploadBytes: config.maxUploadBytes,
      tmpDir: config.tmpDir,
      logger: { level },
    });
  } catch (err) {
    await engines.close();
    throw err;
  }
  const d = engines.describe;
  app.log.info(
    { asr: d.asr, diarization: d.diarization, translation: d.translation, auth: config.apiKey ? 'api key' : 'open' },
    `engines: asr=${d.asr.id} (${d.asr.quality}), diarization=${d.diarization.id} (${d.diarization.quality}), translation=${d.translation.id}`,
  );
  const address = await app.listen({ port: config.port, host: config.host });
  return {
    app,
    url: address,
    engines,
    async close() {
      await app.close();
      await engines.close();
    },
  };
}
