// Voice-activity detection with the vendored Silero model run by sherpa-onnx, fed as a stream of PCM blocks.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { SAMPLE_RATE, SpeechError, type SpeechRegion } from './types.ts';

export const SILERO_VAD_MODEL = fileURLToPath(new URL('../models/silero_vad.onnx', import.meta.url));
/** sha256 of the vendored Silero VAD v5 file (see models/README.md). */
export const SILERO_VAD_SHA256 = '1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3';

const WINDOW = 512; // Silero v5 at 16 kHz works on 512-sample windows
/**
 * Seconds of audio after which the detector has certainly reported a region that ended earlier (it waits for a
 * pause before closing a region, and back-dates its start).
 */
export const VAD_LATENCY = 1;

export interface VadOptions {
  /** Path of a Silero .onnx file; defaults to the vendored one. */
  modelPath?: string;
  /** Expected sha256 of `modelPath`; defaults to the vendored file's hash when `modelPath` is not given. */
  sha256?: string;
  /** Speech probability above which a window counts as speech. */
  threshold?: number;
  /** Pauses shorter than this do not end a region. */
  minSilenceSeconds?: number;
  /** Regions shorter than this are dropped. */
  minSpeechSeconds?: number;
  /** Longer speech is cut into several regions (sherpa raises its threshold to find a cut point). */
  maxSpeechSeconds?: number;
}

interface SherpaSegment {
  start: number;
  samples: Float32Array;
}
interface SherpaVad {
  acceptWaveform(samples: Float32Array): void;
  isEmpty(): boolean;
  isDetected(): boolean;
  front(enableExternalBuffer?: boolean): SherpaSegment;
  pop(): void;
  flush(): void;
  reset(): void;
}
interface SherpaVadModule {
  Vad: new (config: object, bufferSizeInSeconds: number) => SherpaVad & { handle: unknown };
}

let sherpa: SherpaVadModule | undefined;
function loadSherpa(): SherpaVadModule {
  if (!sherpa) {
    try {
      sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as SherpaVadModule;
    } catch (err) {
      throw new SpeechError(`voice-activity detection needs the sherpa-onnx-node package: ${(err as Error).message}`, 'unavailable');
    }
  }
  return sherpa;
}

const verified = new Map<string, string>();
/** sherpa does not fail on a missing or wrong VAD file (it silently detects nothing), so check it ourselves. */
async function verifyModel(path: string, sha256: string | undefined): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new SpeechError(`Silero VAD model not found at ${path}`, 'model_missing');
  const key = `${path}:${info.size}:${info.mtimeMs}`;
  let actual = verified.get(key);
  if (!actual) {
    actual = createHash('sha256').update(await readFile(path)).digest('hex');
    verified.set(key, actual);
  }
  if (sha256 && actual !== sha256) {
    throw new SpeechError(`Silero VAD model at ${path} is damaged or not the expected file (sha256 ${actual}, expected ${sha256})`, 'model_invalid');
  }
}

/**
 * Streaming detector: push 16 kHz mono blocks of any size, collect the speech regions that have ended.
 * Memory is bounded by sherpa's internal buffer (the current region), not by the recording.
 */
export class VoiceActivityDetector implements SpeechSource {
  private pending: Float32Array = new Float32Array(WINDOW);
  private pendingLength = 0;
  private samplesIn = 0;

  private constructor(
    private readonly vad: SherpaVad,
    /** Longest region reported; a region in progress began at most about this long ago. */
    readonly maxSpeechSeconds: number,
  ) {}

  static async create(opts: VadOptions = {}): Promise<VoiceActivityDetector> {
    const modelPath = opts.modelPath ?? SILERO_VAD_MODEL;
    await verifyModel(modelPath, opts.sha256 ?? (opts.modelPath ? undefined : SILERO_VAD_SHA256));
    const maxSpeech = opts.maxSpeechSeconds ?? 20;
    const { Vad } = loadSherpa();
    const vad = new Vad(
      {
        sileroVad: {
          model: modelPath,
          threshold: opts.threshold ?? 0.5,
          minSilenceDuration: opts.minSilenceSeconds ?? 0.25,
          minSpeechDuration: opts.minSpeechSeconds ?? 0.25,
          maxSpeechDuration: maxSpeech,
          windowSize: WINDOW,
        },
        sampleRate: SAMPLE_RATE,
        numThreads: 1,
        debug: 0,
      },
      maxSpeech + 10,
    );
    if (!vad.handle) throw new SpeechError(`sherpa-onnx could not load the Silero VAD model ${modelPath}`, 'model_invalid');
    return new VoiceActivityDetector(vad, maxSpeech);
  }

  /** Seconds of audio pushed so far. */
  get processedSeconds(): number {
    return this.samplesIn / SAMPLE_RATE;
  }

  /** True while the detector is inside a speech region that has not ended yet. */
  get inSpeech(): boolean {
    return this.vad.isDetected();
  }

  /** Feeds samples; returns the regions that ended within them. */
  push(block: Float32Array): SpeechRegion[] {
    let at = 0;
    if (this.pendingLength > 0) {
      const take = Math.min(WINDOW - this.pendingLength, block.length);
      this.pending.set(block.subarray(0, take), this.pendingLength);
      this.pendingLength += take;
      at = take;
      if (this.pendingLength === WINDOW) {
        this.vad.acceptWaveform(this.pending.slice());
        this.pendingLength = 0;
      }
    }
    // One window per call: sherpa's Silero detector misplaces boundaries when handed several windows at once.
    for (; at + WINDOW <= block.length; at += WINDOW) this.vad.acceptWaveform(block.slice(at, at + WINDOW));
    if (at < block.length) {
      this.pending.set(block.subarray(at), this.pendingLength);
      this.pendingLength += block.length - at;
    }
    this.samplesIn += block.length;
    return this.drain();
  }

  /** Ends the stream: returns the regions still open. The detector can then be reused for a new stream. */
  flush(): SpeechRegion[] {
    if (this.pendingLength > 0) {
      const last = new Float32Array(WINDOW);
      last.set(this.pending.subarray(0, this.pendingLength));
      this.vad.acceptWaveform(last);
      this.pendingLength = 0;
    }
    this.vad.flush();
    const regions = this.drain().map((r) => ({ start: r.start, end: Math.min(r.end, this.processedSeconds) }));
    this.vad.reset();
    this.samplesIn = 0;
    return regions;
  }

  private drain(): SpeechRegion[] {
    const out: SpeechRegion[] = [];
    while (!this.vad.isEmpty()) {
      const seg = this.vad.front(false);
      out.push({ start: seg.start / SAMPLE_RATE, end: (seg.start + seg.samples.length) / SAMPLE_RATE });
      this.vad.pop();
    }
    return out;
  }
}

/** What a reader of a PCM stream needs from speech detection: the regions that ended in what it has read so far. */
export interface SpeechSource {
  readonly processedSeconds: number;
  push(block: Float32Array): SpeechRegion[];
  flush(): SpeechRegion[];
}

/**
 * Regions an earlier pass over the same audio already found (for instance while it was transcoded), released as
 * the stream reaches their end, the way the detector would have reported them.
 */
export class KnownSpeech implements SpeechSource {
  private readonly regions: SpeechRegion[];
  private next = 0;
  private samplesIn = 0;

  constructor(regions: readonly SpeechRegion[]) {
    this.regions = [...regions].sort((a, b) => a.start - b.start);
  }

  /** Longest region, seconds: how far back a region still to be released can reach. */
  get longestSeconds(): number {
    return this.regions.reduce((m, r) => Math.max(m, r.end - r.start), 0);
  }

  get processedSeconds(): number {
    return this.samplesIn / SAMPLE_RATE;
  }

  push(block: Float32Array): SpeechRegion[] {
    this.samplesIn += block.length;
    return this.releaseUntil(this.processedSeconds);
  }

  flush(): SpeechRegion[] {
    return this.releaseUntil(Infinity);
  }

  private releaseUntil(seconds: number): SpeechRegion[] {
    const out: SpeechRegion[] = [];
    while (this.next < this.regions.length && this.regions[this.next].end <= seconds) out.push(this.regions[this.next++]);
    return out;
  }
}

/** Runs the detector over a stream of blocks and yields regions as they end. */
export async function* detectSpeech(blocks: AsyncIterable<Float32Array>, opts: VadOptions = {}): AsyncGenerator<SpeechRegion> {
  const vad = await VoiceActivityDetector.create(opts);
  for await (const block of blocks) yield* vad.push(block);
  yield* vad.flush();
}
