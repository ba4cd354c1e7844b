// The speech engines and the LLM a worker uses, built once per process from the configuration: engines
// in this process by default, or the transcription service when TRANSCRIPT_URL (DIARIZATION_URL,
// TRANSLATE_URL) point to one.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createSpeechEngines, speechOptionsFromEnv, type PublishFile, type SpeechEngines } from '@reflector/speech';
import type { Config } from '../config.ts';
import type { AppContext } from '../context.ts';
import { LlmClient } from '../llm/client.ts';

const engines = new WeakMap<AppContext, Promise<SpeechEngines>>();

/** Hands a local file to a remote service through storage: a signed URL that is deleted after the call. */
function publishThroughStorage(ctx: AppContext): PublishFile {
  return async (file) => {
    const key = `tmp/${randomUUID()}/${path.basename(file)}`;
    await ctx.storage.put(key, createReadStream(file), { size: (await stat(file)).size });
    return { url: await ctx.storage.url(key, 2 * 3600), release: () => ctx.storage.delete(key) };
  };
}

export function speechEngines(ctx: AppContext): Promise<SpeechEngines> {
  let p = engines.get(ctx);
  if (!p) {
    const options = {
      ...speechOptionsFromEnv(configEnv(ctx.config)),
      modelsDir: ctx.config.modelsDir,
      publishFile: publishThroughStorage(ctx),
    };
    p = createSpeechEngines(options).then((e) => {
      ctx.log.info({ asr: e.describe.asr, diarization: e.describe.diarization, translation: e.describe.translation }, 'speech engines ready');
      return e;
    });
    p.catch(() => engines.delete(ctx)); // a later job tries again (e.g. after a model was pulled)
    engines.set(ctx, p);
  }
  return p;
}

export async function closeSpeechEngines(ctx: AppContext): Promise<void> {
  const p = engines.get(ctx);
  engines.delete(ctx);
  if (p) await (await p.catch(() => null))?.close();
}

/** The validated configuration as the speech package's environment-style options expect it. */
function configEnv(config: Config): Record<string, string | undefined> {
  const s = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  return {
    TRANSCRIPT_BACKEND: config.TRANSCRIPT_BACKEND,
    TRANSCRIPT_URL: config.TRANSCRIPT_URL,
    TRANSCRIPT_MODAL_API_KEY: config.TRANSCRIPT_MODAL_API_KEY,
    TRANSCRIPT_FILE_TIMEOUT: s(config.TRANSCRIPT_FILE_TIMEOUT),
    DIARIZATION_ENABLED: s(config.DIARIZATION_ENABLED),
    DIARIZATION_BACKEND: config.DIARIZATION_BACKEND,
    DIARIZATION_URL: config.DIARIZATION_URL,
    DIARIZATION_MODAL_API_KEY: config.DIARIZATION_MODAL_API_KEY,
    DIARIZATION_FILE_TIMEOUT: s(config.DIARIZATION_FILE_TIMEOUT),
    TRANSLATION_BACKEND: config.TRANSLATION_BACKEND,
    TRANSLATE_URL: config.TRANSLATE_URL,
    TRANSLATION_MODAL_API_KEY: config.TRANSLATION_MODAL_API_KEY,
    TRANSLATE_MODAL_API_KEY: config.TRANSLATE_MODAL_API_KEY,
    TRANSLATE_TIMEOUT: s(config.TRANSLATE_TIMEOUT),
    LLM_URL: config.LLM_URL,
    LLM_API_KEY: config.LLM_API_KEY,
    LLM_MODEL: config.LLM_MODEL,
  };
}

/** The LLM client, or null when no LLM is configured (summaries are then extractive). */
export function llmClient(config: Config): LlmClient | null {
  if (!config.LLM_URL) return null;
  return new LlmClient({
    url: config.LLM_URL,
    apiKey: config.LLM_API_KEY,
    model: config.LLM_MODEL,
    contextWindow: config.LLM_CONTEXT_WINDOW,
    parseRetries: config.LLM_PARSE_MAX_RETRIES,
    timeoutSeconds: config.LLM_STRUCTURED_RESPONSE_TIMEOUT,
    requestRetries: config.LLM_REQUEST_RETRIES,
  });
}
