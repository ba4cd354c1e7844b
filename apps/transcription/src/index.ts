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

export interface StartOptions {
  /** Finish in-flight requests (and remove their temporary files) on SIGTERM/SIGINT, then exit. Default true. */
  handleSignals?: boolean;
}

export async function startTranscriptionService(
  env: Record<string, string | undefined> = process.env,
  opts: StartOptions = {},
): Promise<RunningTranscriptionService> {
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
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await app.close();
      await engines.close();
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    app.log.info(`${signal}: finishing in-flight requests`);
    void close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  if (opts.handleSignals !== false) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { app, url: address, engines, close };
}
