// Shared types of the speech package: every engine speaks these.

/** One recognised word. Times in seconds from the start of the recording. `text` carries its own leading space
 * when it is not the first word of a line, as in the API (e.g. " hello"). */
export interface Word {
  text: string;
  start: number;
  end: number;
  /** 0..1 when the engine reports it. */
  confidence?: number;
  /** Speaker index after diarization assembly; absent before. */
  speaker?: number;
}

export interface TranscriptionResult {
  text: string;
  words: Word[];
  /** ISO 639-1 code of the spoken language (detected or given). */
  language: string;
}

export interface TranscribeOptions {
  /** ISO 639-1 code, or 'auto' to detect where the engine can. */
  language?: string;
  /** Added to every word time (seconds), for chunks cut out of a longer recording. */
  timestampOffset?: number;
  signal?: AbortSignal;
  /** Called with 0..1 while a long input is being recognised. */
  onProgress?: (fraction: number) => void;
  /**
   * Speech regions the voice-activity detector found in this clip (seconds from the start of the clip, not
   * offset); engines that decode speech region by region use them instead of detecting speech again.
   */
  speechRegions?: readonly SpeechRegion[];
}

/** 16 kHz mono float samples in [-1, 1]. */
export type Pcm = Float32Array;

export const SAMPLE_RATE = 16000;

export interface AsrEngine {
  /** Stable id such as 'pocketsphinx', 'parakeet-tdt-0.6b-v2', 'whisper-small', 'remote'. */
  readonly id: string;
  /** 'basic' for the zero-download default, 'standard' or 'best' for downloaded models. */
  readonly quality: 'basic' | 'standard' | 'best';
  readonly languages: readonly string[] | 'any';
  /** How many `transcribe` calls are worth running at once (e.g. one per core for a CPU engine). Default 1. */
  readonly concurrency?: number;
  /** Recognise one clip of at most ~30 s of 16 kHz mono audio. */
  transcribe(pcm: Pcm, opts?: TranscribeOptions): Promise<TranscriptionResult>;
  close?(): Promise<void>;
}

/** A time range spoken by one speaker. Seconds. */
export interface SpeakerSegment {
  start: number;
  end: number;
  speaker: number;
}

export interface DiarizeOptions {
  /** Exact number of speakers when known. */
  numSpeakers?: number;
  minSpeakers?: number;
  maxSpeakers?: number;
  signal?: AbortSignal;
  /**
   * Speech regions the voice-activity detector already found in this file (seconds, in time order), e.g. a
   * transcription's `speechRegions`; engines that detect speech themselves may use them instead.
   */
  speechRegions?: SpeechRegion[];
}

export interface DiarizationEngine {
  readonly id: string;
  /** Diarize a whole recording given as a file path (any container ffmpeg reads). */
  diarizeFile(path: string, opts?: DiarizeOptions): Promise<SpeakerSegment[]>;
  close?(): Promise<void>;
}

export interface TranslationEngine {
  readonly id: string;
  translate(text: string, sourceLanguage: string, targetLanguage: string, opts?: { signal?: AbortSignal }): Promise<string>;
}

/** A region of speech found by voice-activity detection. Seconds. */
export interface SpeechRegion {
  start: number;
  end: number;
}

export class SpeechError extends Error {
  constructor(
    message: string,
    /** 'bad_input' → HTTP 400 at the service; 'model_missing' names the pull command; 'engine' for crashes. */
    readonly kind: 'bad_input' | 'model_missing' | 'model_invalid' | 'engine' | 'unavailable' = 'engine',
  ) {
    super(message);
    this.name = 'SpeechError';
  }
}
