// Engine selection from configuration: one place decides which recogniser, diarizer and translator run, so the
// server's embedded mode and the model service pick the same way. `auto` takes the best engine that is
// installed and verified, and falls back to the zero-download basic engines.
import type { AsrEngine, DiarizationEngine, TranslationEngine } from './types.ts';
import { SpeechError } from './types.ts';
import { PocketsphinxEngine } from './engines/pocketsphinx.ts';
import { ClassicalDiarizer } from './diarization/classical.ts';
import { ModelServiceAsr } from './remote/model-service-asr.ts';
import { OpenAiAsr } from './remote/openai-asr.ts';
import { ModelServiceDiarization } from './remote/model-service-diarization.ts';
import { ModelServiceTranslation } from './remote/model-service-translation.ts';
import type { PublishFile } from './remote/publish-file.ts';
import { PassthroughTranslation } from './translation/passthrough.ts';
import { LlmTranslation } from './translation/llm.ts';
import { listInstalledEngines, pickAsrModel, pickDiarizationModels, type InstalledEngine } from './models/select.ts';
import { MANIFEST } from './models/manifest.ts';
import { defaultModelsDir } from './models/store.ts';
import { createSherpaAsrEngine } from './sherpa/asr.ts';
import { createSherpaDiarizationEngine } from './sherpa/diarization.ts';

export type Quality = 'none' | 'basic' | 'standard' | 'best';

export interface LlmOptions {
  url: string;
  apiKey?: string;
  model: string;
}

export interface SpeechEngineOptions {
  /** 'auto' | 'pocketsphinx' | a model name from the catalogue ('parakeet-tdt-0.6b-v2', 'whisper-small', ...) |
   * 'modal' (the model-service API at transcriptUrl) | 'openai' (an OpenAI-compatible endpoint at transcriptUrl). */
  transcriptBackend?: string;
  transcriptUrl?: string;
  /** Bearer key of the transcription endpoint. */
  apiKey?: string;
  /** Model name sent to remote endpoints ('whisper-1' for OpenAI; the model service's own default when unset). */
  transcriptModel?: string;
  transcriptTimeoutMs?: number;
  /** Where `reflector models pull` put downloaded models. */
  modelsDir?: string;
  /** Preferred recognition language; `auto` prefers engines that support it. */
  language?: string;
  /** 'auto' | 'classical' | 'pyannote' | 'modal' | 'none' */
  diarizationBackend?: string;
  diarizationUrl?: string;
  diarizationApiKey?: string;
  diarizationTimeoutMs?: number;
  /** How a remote diarizer reaches local files (see ModelServiceDiarization). */
  publishFile?: PublishFile;
  /** 'auto' (llm when configured, else passthrough) | 'passthrough' | 'llm' | 'modal' */
  translationBackend?: string;
  translateUrl?: string;
  translationApiKey?: string;
  translateTimeoutMs?: number;
  llm?: LlmOptions;
}

export interface EngineDescription {
  id: string;
  quality: Quality;
  /** Why this engine was chosen, for logs and the settings page. */
  reason: string;
}

export interface SpeechEngines {
  asr: AsrEngine;
  diarization: DiarizationEngine | null;
  translation: TranslationEngine;
  describe: { asr: EngineDescription; diarization: EngineDescription; translation: EngineDescription };
  close(): Promise<void>;
}

const REMOTE_ASR = ['modal', 'openai'];

export async function createAsrEngine(opts: SpeechEngineOptions): Promise<{ engine: AsrEngine; reason: string }> {
  const backend = (opts.transcriptBackend ?? 'auto').trim().toLowerCase();
  const timeoutMs = opts.transcriptTimeoutMs;
  if (backend === 'modal') {
    return {
      engine: new ModelServiceAsr({ url: requireUrl(opts.transcriptUrl, 'TRANSCRIPT_URL', backend), apiKey: opts.apiKey, model: opts.transcriptModel, timeoutMs }),
      reason: `model service at ${opts.transcriptUrl}`,
    };
  }
  if (backend === 'openai') {
    return {
      engine: new OpenAiAsr({ url: requireUrl(opts.transcriptUrl, 'TRANSCRIPT_URL', backend), apiKey: opts.apiKey, model: opts.transcriptModel, timeoutMs }),
      reason: `OpenAI-compatible endpoint at ${opts.transcriptUrl}`,
    };
  }
  if (backend === 'pocketsphinx' || backend === 'basic') {
    return { engine: new PocketsphinxEngine(), reason: 'configured' };
  }
  if (backend === 'auto' || backend === 'whisper') {
    // 'whisper' is the reference's name for its in-process engine; here that is whatever is installed locally.
    const local = await bestLocalAsr(opts);
    if (local) return local;
    return { engine: new PocketsphinxEngine(), reason: 'no downloaded model installed; basic English engine (pull one with: reflector models pull parakeet-tdt-0.6b-v2)' };
  }
  const named = await localAsrByName(backend, opts);
  if (named) return { engine: named, reason: 'configured' };
  throw new SpeechError(
    `unknown TRANSCRIPT_BACKEND "${opts.transcriptBackend}": use auto, pocketsphinx, ${REMOTE_ASR.join(', ')} or an installed model name`,
    'unavailable',
  );
}

function modelsDirOf(opts: SpeechEngineOptions): string {
  return opts.modelsDir ?? defaultModelsDir();
}

/** Installed and verified models; an unreadable models directory counts as none installed. */
async function installedModels(opts: SpeechEngineOptions): Promise<InstalledEngine[]> {
  try {
    return await listInstalledEngines(modelsDirOf(opts));
  } catch {
    return [];
  }
}

/** The best downloaded recogniser for the preferred language (English unless told otherwise). */
async function bestLocalAsr(opts: SpeechEngineOptions): Promise<{ engine: AsrEngine; reason: string } | null> {
  const installed = await installedModels(opts);
  const language = opts.language ?? 'en';
  const pick = pickAsrModel(installed, language) ?? installed.find((e) => e.kind === 'asr');
  if (!pick) return null;
  const engine = await createSherpaAsrEngine(pick.name, { modelsDir: modelsDirOf(opts) });
  return { engine, reason: `best installed model for "${language}" in ${modelsDirOf(opts)}` };
}

async function localAsrByName(name: string, opts: SpeechEngineOptions): Promise<AsrEngine | null> {
  const bundle = MANIFEST.find((b) => b.name === name);
  if (!bundle || bundle.kind !== 'asr') return null;
  // Throws 'model_missing' with the pull command when the model is not installed.
  return createSherpaAsrEngine(name, { modelsDir: modelsDirOf(opts) });
}

export async function createDiarizationEngine(opts: SpeechEngineOptions): Promise<{ engine: DiarizationEngine | null; quality: Quality; reason: string }> {
  const backend = (opts.diarizationBackend ?? 'auto').trim().toLowerCase();
  if (backend === 'none' || backend === 'off' || backend === 'false') return { engine: null, quality: 'none', reason: 'disabled' };
  if (backend === 'modal') {
    const url = requireUrl(opts.diarizationUrl, 'DIARIZATION_URL', backend);
    return {
      engine: new ModelServiceDiarization({ url, apiKey: opts.diarizationApiKey, timeoutMs: opts.diarizationTimeoutMs, publishFile: opts.publishFile }),
      quality: 'best',
      reason: `model service at ${url}`,
    };
  }
  if (backend === 'pyannote' || backend === 'sherpa') {
    const engine = await createSherpaDiarizationEngine({ modelsDir: modelsDirOf(opts) });
    return { engine, quality: 'best', reason: 'configured' };
  }
  if (backend === 'classical' || backend === 'basic') {
    return { engine: new ClassicalDiarizer(), quality: 'basic', reason: 'configured' };
  }
  if (backend === 'auto') {
    const pair = pickDiarizationModels(await installedModels(opts));
    if (pair) {
      const engine = await createSherpaDiarizationEngine({ modelsDir: modelsDirOf(opts), ...pair });
      return { engine, quality: 'best', reason: `installed models ${pair.segmentation} + ${pair.embedding}` };
    }
    return {
      engine: new ClassicalDiarizer(),
      quality: 'basic',
      reason: 'no diarization models installed; classical engine (pull pyannote-segmentation-3.0 and wespeaker-resnet34-lm for better results)',
    };
  }
  throw new SpeechError(`unknown DIARIZATION_BACKEND "${opts.diarizationBackend}": use auto, classical, pyannote, modal or none`, 'unavailable');
}

export function createTranslationEngine(opts: SpeechEngineOptions): { engine: TranslationEngine; quality: Quality; reason: string } {
  const backend = (opts.translationBackend ?? 'auto').trim().toLowerCase();
  if (backend === 'modal') {
    const url = requireUrl(opts.translateUrl, 'TRANSLATE_URL', backend);
    return {
      engine: new ModelServiceTranslation({ url, apiKey: opts.translationApiKey, timeoutMs: opts.translateTimeoutMs }),
      quality: 'standard',
      reason: `model service at ${url}`,
    };
  }
  if (backend === 'llm' || (backend === 'auto' && opts.llm?.url)) {
    if (!opts.llm?.url) throw new SpeechError('TRANSLATION_BACKEND=llm needs LLM_URL (and LLM_MODEL)', 'unavailable');
    return {
      engine: new LlmTranslation({ url: opts.llm.url, apiKey: opts.llm.apiKey, model: opts.llm.model, timeoutMs: opts.translateTimeoutMs }),
      quality: 'standard',
      reason: `LLM ${opts.llm.model} at ${opts.llm.url}`,
    };
  }
  if (backend === 'passthrough' || backend === 'auto') {
    return { engine: new PassthroughTranslation(), quality: 'none', reason: backend === 'auto' ? 'no LLM_URL configured; text is not translated' : 'configured' };
  }
  throw new SpeechError(`unknown TRANSLATION_BACKEND "${opts.translationBackend}": use auto, passthrough, llm or modal`, 'unavailable');
}

export async function createSpeechEngines(opts: SpeechEngineOptions): Promise<SpeechEngines> {
  const asr = await createAsrEngine(opts);
  const diarization = await createDiarizationEngine(opts);
  const translation = createTranslationEngine(opts);
  return {
    asr: asr.engine,
    diarization: diarization.engine,
    translation: translation.engine,
    describe: {
      asr: { id: asr.engine.id, quality: asr.engine.quality, reason: asr.reason },
      diarization: { id: diarization.engine?.id ?? 'none', quality: diarization.quality, reason: diarization.reason },
      translation: { id: translation.engine.id, quality: translation.quality, reason: translation.reason },
    },
    async close() {
      await Promise.allSettled([asr.engine.close?.(), diarization.engine?.close?.()]);
    },
  };
}

function requireUrl(url: string | undefined, variable: string, backend: string): string {
  if (!url) throw new SpeechError(`the "${backend}" backend needs ${variable}`, 'unavailable');
  return url;
}

/** The reference product's variable names (TRANSCRIPT_BACKEND=modal + TRANSCRIPT_URL, ...) map onto the options. */
export function speechOptionsFromEnv(env: Record<string, string | undefined>): SpeechEngineOptions {
  const seconds = (v: string | undefined, fallback: number) => {
    const n = Number(v);
    return (Number.isFinite(n) && n > 0 ? n : fallback) * 1000;
  };
  const nonEmpty = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
  const llmUrl = nonEmpty(env.LLM_URL);
  return {
    transcriptBackend: nonEmpty(env.TRANSCRIPT_BACKEND) ?? 'auto',
    transcriptUrl: nonEmpty(env.TRANSCRIPT_URL),
    apiKey: nonEmpty(env.TRANSCRIPT_MODAL_API_KEY) ?? nonEmpty(env.TRANSCRIPT_API_KEY),
    transcriptModel: nonEmpty(env.TRANSCRIPT_MODEL),
    transcriptTimeoutMs: seconds(env.TRANSCRIPT_FILE_TIMEOUT, 600),
    modelsDir: nonEmpty(env.MODELS_DIR),
    diarizationBackend: env.DIARIZATION_ENABLED === 'false' ? 'none' : (nonEmpty(env.DIARIZATION_BACKEND) ?? 'auto'),
    diarizationUrl: nonEmpty(env.DIARIZATION_URL),
    diarizationApiKey: nonEmpty(env.DIARIZATION_MODAL_API_KEY),
    diarizationTimeoutMs: seconds(env.DIARIZATION_FILE_TIMEOUT, 600),
    translationBackend: nonEmpty(env.TRANSLATION_BACKEND) ?? 'auto',
    translateUrl: nonEmpty(env.TRANSLATE_URL),
    translationApiKey: nonEmpty(env.TRANSLATION_MODAL_API_KEY) ?? nonEmpty(env.TRANSLATE_MODAL_API_KEY),
    translateTimeoutMs: seconds(env.TRANSLATE_TIMEOUT, 90),
    llm: llmUrl ? { url: llmUrl, apiKey: nonEmpty(env.LLM_API_KEY), model: nonEmpty(env.LLM_MODEL) ?? 'microsoft/phi-4' } : undefined,
  };
}
