// The peak overview drawn by the player: a fixed number of buckets, computed in one pass over the decoded stream.
import type { Readable } from 'node:stream';
import { SAMPLE_RATE } from '../types.ts';
import { decodePcm } from './ffmpeg.ts';
import { probe } from './probe.ts';

export const WAVEFORM_BUCKETS = 255;

/**
 * Accumulates per-bucket peaks for a recording whose length is known up front, so memory is one number per
 * bucket whatever the length. Samples past the expected end (durations from headers are estimates) land in
 * the last bucket.
 */
export class WaveformAccumulator {
  private readonly peaks: Float64Array;
  private readonly expectedSamples: number;
  private seen = 0;

  constructor(durationSeconds: number, readonly buckets = WAVEFORM_BUCKETS) {
    this.peaks = new Float64Array(buckets);
    this.expectedSamples = Math.max(1, Math.round(durationSeconds * SAMPLE_RATE));
  }

  push(block: Float32Array): void {
    const { peaks, buckets, expectedSamples } = this;
    let i = 0;
    while (i < block.length) {
      const abs = this.seen + i;
      const bucket = Math.min(buckets - 1, Math.floor((abs * buckets) / expectedSamples));
      // Samples up to the next bucket boundary (or the block end) share one bucket.
      const boundary = bucket === buckets - 1 ? Infinity : Math.ceil(((bucket + 1) * expectedSamples) / buckets);
      const end = Math.min(block.length, boundary - this.seen);
      let peak = peaks[bucket];
      for (; i < end; i++) {
        const v = Math.abs(block[i]);
        if (v > peak) peak = v;
      }
      peaks[bucket] = peak;
    }
    this.seen += block.length;
  }

  get durationSeconds(): number {
    return this.seen / SAMPLE_RATE;
  }

  /** Peaks normalised to the loudest bucket (1), rounded to 2 decimals; all zeros for silence. */
  result(): number[] {
    let max = 0;
    for (const p of this.peaks) if (p > max) max = p;
    return Array.from(this.peaks, (p) => (max > 0 ? Math.round((p / max) * 100) / 100 : 0));
  }
}

export interface Waveform {
  /** WAVEFORM_BUCKETS numbers in [0, 1]. */
  data: number[];
  /** Duration of the decoded audio, seconds. */
  durationSeconds: number;
}

/** Computes the waveform of a media file (or stream, when its duration is given) with one streaming decode. */
export async function computeWaveform(
  input: string | Readable,
  opts: { durationSeconds?: number; buckets?: number; signal?: AbortSignal } = {},
): Promise<Waveform> {
  let duration = opts.durationSeconds;
  if (duration === undefined) {
    if (typeof input !== 'string') throw new TypeError('computeWaveform: durationSeconds is required for a stream input');
    duration = (await probe(input, { signal: opts.signal })).durationSeconds;
  }
  const acc = new WaveformAccumulator(duration, opts.buckets);
  for await (const block of decodePcm(input, { signal: opts.signal })) acc.push(block);
  return { data: acc.result(), durationSeconds: acc.durationSeconds };
}
