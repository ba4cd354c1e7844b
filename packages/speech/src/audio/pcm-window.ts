// A sliding window over a decoded stream: keeps recent blocks so a clip can be cut out once its boundaries are
// known, and forgets everything older than the caller still needs.
import { SAMPLE_RATE } from '../types.ts';

export class PcmWindow {
  private blocks: { at: number; pcm: Float32Array }[] = [];
  /** Sample index of the first sample held. */
  private first = 0;
  /** Sample index just past the last sample pushed. */
  private total = 0;

  push(block: Float32Array): void {
    if (block.length === 0) return;
    this.blocks.push({ at: this.total, pcm: block });
    this.total += block.length;
  }

  /** Seconds of audio pushed since the start of the stream. */
  get endSeconds(): number {
    return this.total / SAMPLE_RATE;
  }

  /** Seconds of audio currently held. */
  get heldSeconds(): number {
    return (this.total - this.first) / SAMPLE_RATE;
  }

  /** Forgets whole blocks that end before `seconds`. */
  dropBefore(seconds: number): void {
    const limit = Math.floor(seconds * SAMPLE_RATE);
    let n = 0;
    while (n < this.blocks.length && this.blocks[n].at + this.blocks[n].pcm.length <= limit) n++;
    if (n > 0) {
      this.blocks = this.blocks.slice(n);
      this.first = this.blocks[0]?.at ?? this.total;
    }
  }

  /** Copies [from, to) seconds out of the window; parts already dropped or not yet pushed are left out. */
  slice(fromSeconds: number, toSeconds: number): Float32Array {
    const from = Math.max(this.first, Math.round(fromSeconds * SAMPLE_RATE));
    const to = Math.min(this.total, Math.round(toSeconds * SAMPLE_RATE));
    const out = new Float32Array(Math.max(0, to - from));
    for (const { at, pcm } of this.blocks) {
      const a = Math.max(from, at);
      const b = Math.min(to, at + pcm.length);
      if (a < b) out.set(pcm.subarray(a - at, b - at), a - from);
    }
    return out;
  }
}
