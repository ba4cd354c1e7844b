// What every route of the model service needs: the engines, their locks and the limits.
import type { AsrEngine, DiarizationEngine, TranslationEngine } from '@reflector/speech/types';
import { EngineLocks } from './lock.ts';

export interface TranscriptionAppOptions {
  /** Default recogniser. */
  asr: AsrEngine;
  /** Further recognisers a request may pick with the `model` field (matched by engine id). */
  extraAsr?: AsrEngine[];
  /** null: /diarize answers 503. */
  diarization?: DiarizationEngine | null;
  translation: TranslationEngine;
  /** When set, every model route requires `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Per uploaded or downloaded file. Default 2 GiB. */
  maxUploadBytes?: number;
  /** Where request files are stored while they are processed. Default: the OS temp directory. */
  tmpDir?: string;
  /** Download of an audio_file_url. Default 30 minutes. */
  downloadTimeoutMs?: number;
  /** Fastify logger option; default off. */
  logger?: boolean | Record<string, unknown>;
}

export interface ServiceContext {
  asrFor(model: string | undefined): AsrEngine;
  asrEngines: AsrEngine[];
  diarization: DiarizationEngine | null;
  translation: TranslationEngine;
  locks: EngineLocks;
  maxUploadBytes: number;
  tmpDir: string;
  downloadTimeoutMs: number;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 ** 3;
