// Streams a recording once and keeps only what diarization needs: a speech flag per 10 ms frame (1 byte)
// and Gaussian statistics per short speech piece (≤ 0.5 s), never the frames themselves.
import { DIM, STAT_SIZE, accumulate } from './gaussian.ts';
import { MfccStream } from './mfcc.ts';
import { SpeechError } from '../types.ts';

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

export async function extractFeatures(blocks: AsyncIterable<Float32Array>, signal?: AbortSignal): Promise<RecordingFeatures> {
  const mfcc = new MfccStream(DIM + 1);
  const hist = new Float64Array(HIST_BINS);
  let total = 0;
  const chunkDb = new Float32Array(CHUNK);
  const chunkCeps = new Float32Array(CHUNK * DIM);
  let inChunk = 0;
  let chunkStart = 0;
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
  const flush = () => {
    const th = threshold(hist, total);
    speech.reserve(inChunk);
    for (let k = 0; k < inChunk; k++) {
      const frame = chunkStart + k;
      const isSpeech = chunkDb[k] > th;
      speech.data[speech.length++] = isSpeech ? 1 : 0;
      if (!isSpeech) continue;
      if (open && (frame - open.end >= PIECE_PAUSE || frame - open.start >= PIECE_FRAMES)) closePiece();
      open ??= { start: frame, end: frame, st: new Float64Array(STAT_SIZE) };
      accumulate(open.st, 0, chunkCeps, k * DIM);
      open.end = frame + 1;
    }
    chunkStart += inChunk;
    inChunk = 0;
  };

  for await (const block of blocks) {
    if (signal?.aborted) throw new SpeechError('diarization aborted', 'engine');
    mfcc.push(block, (f) => {
      const db = Math.max(HIST_MIN, f.db);
      hist[Math.min(HIST_BINS - 1, Math.floor((db - HIST_MIN) / HIST_STEP))]++;
      total++;
      chunkDb[inChunk] = db;
      // c0 is left out: it follows loudness, not the voice.
      for (let d = 0; d < DIM; d++) chunkCeps[inChunk * DIM + d] = f.ceps[d + 1];
      if (++inChunk === CHUNK) flush();
    });
  }
  flush();
  closePiece();
  return { frames: speech.length, speech: speech.view().slice(), pieces, stats: stats.view().slice() };
}
