// AsrEngine on sherpa-onnx's OfflineRecognizer (Parakeet TDT, Whisper, Moonshine, and the tdnn slot that
// the test stand-in uses), running in an isolated child process.
import { join } from 'node:path';
import { SAMPLE_RATE, SpeechError, type AsrEngine, type Pcm, type TranscribeOptions, type TranscriptionResult } from '../types.ts';
import type { AsrFamily, ModelFile } from '../models/manifest.ts';
import { readOnnxSummary } from '../models/onnx-metadata.ts';
import { checkModelFiles, defaultModelsDir, requireModel } from '../models/store.ts';
import { LazySherpaProcess, SherpaProcess } from './child-process.ts';
import type { RawRecognition, RecognizerConfig } from './protocol.ts';
import { spreadWords, tokensToWords } from './words.ts';

export interface SherpaAsrModel {
  id: string;
  family: AsrFamily;
  languages: readonly string[] | 'any';
  quality: 'standard' | 'best';
  /** Directory the file paths are relative to. */
  dir: string;
  files: readonly ModelFile[];
}

export interface SherpaEngineOptions {
  numThreads?: number;
  /** Per-request limit in ms (default 5 minutes). */
  timeoutMs?: number;
  /** sherpa execution provider: 'cpu' (default) or 'cuda' where the installed runtime supports it. */
  provider?: string;
  /**
   * Structural file checks before the child loads anything (default true). Turning them off is only for
   * tests that need sherpa to meet a bad file and crash.
   */
  verifyFiles?: boolean;
}

/** Result with a note on where word times came from. */
export interface SherpaTranscriptionResult extends TranscriptionResult {
  /** 'model': token times from the recogniser; 'estimated': spread over the clip by word length. */
  wordTiming: 'model' | 'estimated';
}

function pathOf(model: SherpaAsrModel, role: ModelFile['role']): string {
  const f = model.files.find((x) => x.role === role);
  if (!f) throw new SpeechError(`${model.id}: model description has no ${role} file`, 'model_invalid');
  return join(model.dir, f.path);
}

export function buildRecognizerConfig(model: SherpaAsrModel, opts: SherpaEngineOptions & { whisperTokenTimes?: boolean } = {}): RecognizerConfig {
  const base = { tokens: pathOf(model, 'tokens'), numThreads: opts.numThreads ?? 2, debug: 0, provider: opts.provider ?? 'cpu' };
  let modelConfig: RecognizerConfig['modelConfig'];
  switch (model.family) {
    case 'nemo_transducer':
      modelConfig = {
        ...base,
        transducer: { encoder: pathOf(model, 'encoder'), decoder: pathOf(model, 'decoder'), joiner: pathOf(model, 'joiner') },
        modelType: 'nemo_transducer',
      };
      break;
    case 'whisper':
      modelConfig = {
        ...base,
        whisper: {
          encoder: pathOf(model, 'encoder'),
          decoder: pathOf(model, 'decoder'),
          language: '',
          task: 'transcribe',
          tailPaddings: -1,
          ...(opts.whisperTokenTimes ? { enableTokenTimestamps: 1 } : {}),
        },
      };
      break;
    case 'moonshine':
      modelConfig = {
        ...base,
        moonshine: {
          preprocessor: pathOf(model, 'preprocessor'),
          encoder: pathOf(model, 'encoder'),
          uncachedDecoder: pathOf(model, 'uncachedDecoder'),
          cachedDecoder: pathOf(model, 'cachedDecoder'),
        },
      };
      break;
    case 'tdnn':
      modelConfig = { ...base, tdnn: { model: pathOf(model, 'model') } };
      break;
  }
  return { featConfig: { sampleRate: SAMPLE_RATE, featureDim: 80 }, modelConfig, decodingMethod: 'greedy_search' };
}

/** Whisper decoders exported with cross-attention outputs can give token times; plain ones have 3 outputs. */
async function whisperDecoderHasAttention(model: SherpaAsrModel): Promise<boolean> {
  const { outputs } = await readOnnxSummary(pathOf(model, 'decoder'));
  return outputs.length > 3 || outputs.some((o) => /attn|attention|alignment/i.test(o));
}

export class SherpaAsrEngine implements AsrEngine {
  readonly id: string;
  readonly quality: 'standard' | 'best';
  readonly languages: readonly string[] | 'any';
  private readonly child = new LazySherpaProcess(() => this.startChild());
  private whisperTokenTimes = false;

  constructor(
    private readonly model: SherpaAsrModel,
    private readonly opts: SherpaEngineOptions = {},
  ) {
    this.id = model.id;
    this.quality = model.quality;
    this.languages = model.languages;
  }

  /** Verifies the files and starts the child with the model loaded; otherwise the first transcribe does it. */
  load(): Promise<{ loadMs: number }> {
    return this.child.load();
  }

  get processStats() {
    return this.child.stats;
  }

  private async startChild(): Promise<SherpaProcess> {
    if (this.opts.verifyFiles !== false) {
      const problems = await checkModelFiles(this.model.dir, this.model.files, this.model.family);
      if (problems.length) throw new SpeechError(`${this.model.id}: model files are not usable: ${problems.join('; ')}`, 'model_invalid');
    }
    if (this.model.family === 'whisper') this.whisperTokenTimes = await whisperDecoderHasAttention(this.model).catch(() => false);
    return new SherpaProcess(
      { type: 'asr', config: buildRecognizerConfig(this.model, { ...this.opts, whisperTokenTimes: this.whisperTokenTimes }) },
      { label: this.model.id, timeoutMs: this.opts.timeoutMs },
    );
  }

  async transcribe(pcm: Pcm, opts: TranscribeOptions = {}): Promise<SherpaTranscriptionResult> {
    if (opts.signal?.aborted) throw new SpeechError('transcription aborted', 'engine');
    const clipSeconds = pcm.length / SAMPLE_RATE;
    const offset = opts.timestampOffset ?? 0;
    const requested = opts.language && opts.language !== 'auto' ? opts.language : undefined;
    if (requested && this.languages !== 'any' && !this.languages.includes(requested)) {
      throw new SpeechError(`${this.id} does not support language "${requested}" (supports: ${this.languages.join(', ')})`, 'bad_input');
    }
    const fallbackLanguage = requested ?? (this.languages !== 'any' && this.languages.length === 1 ? this.languages[0] : 'en');
    if (!pcm.length) return { text: '', words: [], language: fallbackLanguage, wordTiming: 'model' };
    const proc = await this.child.get();
    const raw = await proc.request<RawRecognition>({
      op: 'transcribe',
      samples: pcm,
      ...(this.model.family === 'whisper' ? { whisperLanguage: requested ?? '' } : {}),
    });
    opts.onProgress?.(1);
    const text = raw.text.trim();
    const detected = (raw.lang ?? '').replace(/[^a-z]/gi, '').toLowerCase();
    const language = requested ?? (detected.length === 2 ? detected : fallbackLanguage);
    const hasTimes = raw.tokens.length > 0 && raw.timestamps.length === raw.tokens.length;
    if (!hasTimes && text) return { text, words: spreadWords(text, clipSeconds, offset), language, wordTiming: 'estimated' };
    const words = tokensToWords(raw.tokens, raw.timestamps, {
      durations: raw.durations,
      logProbs: raw.ys_log_probs,
      clipSeconds,
      offset,
    });
    return { text, words, language, wordTiming: 'model' };
  }

  close(): Promise<void> {
    return this.child.close();
  }
}

/** Opens an installed, verified model from the catalogue by name (e.g. 'parakeet-tdt-0.6b-v2'). */
export async function createSherpaAsrEngine(name: string, opts: SherpaEngineOptions & { modelsDir?: string } = {}): Promise<SherpaAsrEngine> {
  const installed = await requireModel(opts.modelsDir ?? defaultModelsDir(), name);
  const { bundle } = installed;
  if (bundle.kind !== 'asr' || !bundle.family) throw new SpeechError(`${name} is a ${bundle.kind} model, not a speech recogniser`, 'bad_input');
  return new SherpaAsrEngine(
    { id: bundle.name, family: bundle.family, languages: bundle.languages, quality: bundle.quality, dir: installed.dir, files: bundle.files },
    opts,
  );
}
