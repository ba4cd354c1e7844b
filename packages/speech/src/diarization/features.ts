// Streams a recording once and keeps only what diarization needs: a speech flag per 10 ms frame (1 byte)
// and Gaussian statistics per short speech piece (≤ 0.5 s), never the frames themselves.
import { DIM, STAT_SIZE, accumulate } from './gaussian.ts';
import { MfccStream } from './mfcc.ts';
import { SpeechError, type SpeechRegion } from '../types.ts';
import { VAD_LATENCY, type VoiceActivityDetector } from '../vad.ts';

/** Frames per second. */
export const FPS = 100;
/** A speech piece closes after this many frames, or at a pause of PIECE_PAUSE frames. */
const PIECE_FRAMES = 50;
const PIECE_PAUSE = 15;
/** The energy threshold is revised every CHUNK frames from everything heard so far. */
const CHUNK = 2000;
const HIST_MIN = -120;
const HIST_STEP = 0.5;
const HIST_BINS = 280;
/** Frames of margin around a voiced region: Silero's boundaries sit a little inside the audible speech. */
const VOICED_MARGIN = 10;

export interface FeatureOptions {
  signal?: AbortSignal;
  /**
   * Voice-activity detector run over the same stream. A frame then counts as speech only when it is loud
   * enough AND inside a voiced region, so long stretches of noise that the energy threshold lets in (it adapts
   * to the recording) are not taken for speakers.
   */
  vad?: VoiceActivityDetector;
  /** Voiced regions already known for the whole recording (seconds, in time order), instead of `vad`. */
  voiced?: readonly SpeechRegion[];
}

export interface SpeechPiece {
  /** First and one-past-last frame holding speech. */
  start: number;
  end: number;
}

export interface RecordingFeatures {
  frames: number;
  /** 1 where the frame's energy passed the speech threshold. */
  speech: Uint8Array;
  pieces: SpeechPiece[];
  /** STAT_SIZE numbers per piece, packed. */
  stats: Float32Array;
}

class Growable<T extends Float32Array | Uint8Array> {
  data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }
  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    const next = this.make(Math.max(this.data.length * 2, this.length + extra));
    next.set(this.data.subarray(0, this.length) as never);
    this.data = next;
  }
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/**
 * Speech threshold: 40 dB under the loud end of the recording (99th percentile of frame energy), but at
 * least 12 dB over its noise floor (5th percentile).
 */
function threshold(hist: Float64Array, total: number): number {
  const at = (q: number) => {
    let acc = 0;
    for (let b = 0; b < HIST_BINS; b++) {
      acc += hist[b];
      if (acc >= q * total) return HIST_MIN + b * HIST_STEP;
    }
    return HIST_MIN + HIST_BINS * HIST_STEP;
  };
  return Math.max(at(0.99) - 40, at(0.05) + 12);
}

interface Chunk {
  start: number;
  length: number;
  db: Float32Array;
  ceps: Float32Array;
}

/**
 * Answers "is frame f voiced?" for frames in increasing order, over regions that arrive in time order;
 * regions already passed are dropped so memory stays flat.
 */
class VoicedGate {
  private readonly regions: SpeechRegion[] = [];
  private head = 0;
  add(regions: readonly SpeechRegion[]): void {
    for (const r of regions) this.regions.push(r);
  }
  at(frame: number): boolean {
    while (this.head < this.regions.length && this.regions[this.head].end * FPS + VOICED_MARGIN <= frame) this.head++;
    if (this.head > 1024) {
      this.regions.splice(0, this.head);
      this.head = 0;
    }
    const r = this.regions[this.head];
    return r !== undefined && r.start * FPS - VOICED_MARGIN <= frame;
  }
}

export async function extractFeatures(blocks: AsyncIterable<Float32Array>, opts: FeatureOptions = {}): Promise<RecordingFeatures> {
  const signal = opts.signal;
  // Known regions win over running the detector.
  const vad = opts.voiced ? undefined : opts.vad;
  const gate = opts.voiced || vad ? new VoicedGate() : null;
  if (opts.voiced) gate!.add(opts.voiced);
  const mfcc = new MfccStream(DIM + 1);
  const hist = new Float64Array(HIST_BINS);
  let total = 0;
  // Chunks wait until the detector has ruled on all their frames: a region is reported only once it ends.
  const waiting: Chunk[] = [];
  const newChunk = (start: number): Chunk => ({ start, length: 0, db: new Float32Array(CHUNK), ceps: new Float32Array(CHUNK * DIM) });
  let current = newChunk(0);
  const speech = new Growable((n) => new Uint8Array(n));
  const stats = new Growable((n) => new Float32Array(n));
  const pieces: SpeechPiece[] = [];
  let open: { start: number; end: number; st: Float64Array } | null = null;

  const closePiece = () => {
    if (!open) return;
    stats.reserve(STAT_SIZE);
    stats.data.set(open.st, stats.length);
    stats.length += STAT_SIZE;
    pieces.push({ start: open.start, end: open.end });
    open = null;
  };
  const finish = (chunk: Chunk) => {
    const th = threshold(hist, total);
    speech.reserve(chunk.length);
    for (let k = 0; k < chunk.length; k++) {
      const frame = chunk.start + k;
      const isSpeech = chunk.db[k] > th && (gate === null || gate.at(frame));
      speech.data[speech.length++] = isSpeech ? 1 : 0;
      if (!isSpeech) continue;
      if (open && (frame - open.end >= PIECE_PAUSE || frame - open.start >= PIECE_FRAMES)) closePiece();
      open ??= { start: frame, end: frame, st: new Float64Array(STAT_SIZE) };
      accumulate(open.st, 0, chunk.ceps, k * DIM);
      open.end = frame + 1;
    }
  };
  /** Finishes the waiting chunks whose frames the detector has decided on (all of them when `ruled` is Infinity). */
  const finishRuled = (ruled: number) => {
    while (waiting.length && waiting[0].start + waiting[0].length <= ruled) finish(waiting.shift()!);
  };

  for await (const block of blocks) {
    if (signal?.aborted) throw new SpeechError('diarization aborted', 'engine');
    mfcc.push(block, (f) => {
      const db = Math.max(HIST_MIN, f.db);
      hist[Math.min(HIST_BINS - 1, Math.floor((db - HIST_MIN) / HIST_STEP))]++;
      total++;
      const k = current.length++;
      current.db[k] = db;
      // c0 is left out: it follows loudness, not the voice.
      for (let d = 0; d < DIM; d++) current.ceps[k * DIM + d] = f.ceps[d + 1];
      if (current.length === CHUNK) {
        waiting.push(current);
        current = newChunk(current.start + CHUNK);
      }
    });
    if (vad) {
      gate!.add(vad.push(block));
      // Outside speech every region that ended a moment ago has been reported; inside one, it began at most
      // about maxSpeechSeconds ago (the detector cuts longer regions), so frames before that are settled.
      const ruled = (vad.processedSeconds - (vad.inSpeech ? vad.maxSpeechSeconds + 2 * VAD_LATENCY : VAD_LATENCY)) * FPS;
      finishRuled(ruled);
    } else finishRuled(Infinity);
  }
  if (vad) gate!.add(vad.flush());
  waiting.push(current);
  finishRuled(Infinity);
  closePiece();
  return { frames: speech.length, speech: speech.view().slice(), pieces, stats: stats.view().slice() };
}
