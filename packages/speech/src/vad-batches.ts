// Groups speech regions into clips an engine can take in one call (≤ 30 s), keeping neighbouring turns together
// so the engine sees context, while long silences between them are not sent to the engine at all.
import type { SpeechRegion } from './types.ts';

export interface SpeechBatch {
  /** Seconds; the batch covers [start, end] of the recording, pauses between its regions included. */
  start: number;
  end: number;
  regions: SpeechRegion[];
}

export interface BatchOptions {
  /** Longest batch, seconds. */
  maxSeconds?: number;
  /** A pause longer than this starts a new batch even when the batch has room left. */
  maxGapSeconds?: number;
}

/**
 * Incremental form of `batchRegions` for streams: push regions in time order, receive batches once they can no
 * longer grow.
 */
export class RegionBatcher {
  private readonly maxSeconds: number;
  private readonly maxGapSeconds: number;
  private current: SpeechBatch | null = null;

  constructor(opts: BatchOptions = {}) {
    this.maxSeconds = opts.maxSeconds ?? 30;
    this.maxGapSeconds = opts.maxGapSeconds ?? 3;
    if (!(this.maxSeconds > 0)) throw new RangeError('maxSeconds must be positive');
  }

  /** Start of the batch still being filled, if any. */
  get openSince(): number | null {
    return this.current?.start ?? null;
  }

  push(region: SpeechRegion): SpeechBatch[] {
    const done: SpeechBatch[] = [];
    for (const piece of splitRegion(region, this.maxSeconds)) {
      const b = this.current;
      if (b && piece.end - b.start <= this.maxSeconds && piece.start - b.end <= this.maxGapSeconds) {
        b.regions.push(piece);
        b.end = Math.max(b.end, piece.end);
        continue;
      }
      if (b) done.push(b);
      this.current = { start: piece.start, end: piece.end, regions: [piece] };
    }
    return done;
  }

  /**
   * Tells the batcher that no region ending before `seconds` is still to come. The open batch is closed once no
   * future region could fit in it, so a stream does not keep audio around through a long silence.
   */
  advance(seconds: number): SpeechBatch[] {
    const b = this.current;
    if (b && seconds - b.start > this.maxSeconds) {
      this.current = null;
      return [b];
    }
    return [];
  }

  flush(): SpeechBatch[] {
    const b = this.current;
    this.current = null;
    return b ? [b] : [];
  }
}

/** Merges time-ordered regions into batches of at most `maxSeconds`; a longer region is cut into equal parts. */
export function batchRegions(regions: readonly SpeechRegion[], maxSeconds = 30, opts: Omit<BatchOptions, 'maxSeconds'> = {}): SpeechBatch[] {
  const batcher = new RegionBatcher({ ...opts, maxSeconds });
  const sorted = [...regions].filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  return [...sorted.flatMap((r) => batcher.push(r)), ...batcher.flush()];
}

function splitRegion(region: SpeechRegion, maxSeconds: number): SpeechRegion[] {
  const length = region.end - region.start;
  if (length <= maxSeconds) return [region];
  const parts = Math.ceil(length / maxSeconds);
  const step = length / parts;
  return Array.from({ length: parts }, (_, i) => ({
    start: region.start + i * step,
    end: i === parts - 1 ? region.end : region.start + (i + 1) * step,
  }));
}
