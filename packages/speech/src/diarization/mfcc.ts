// Streaming MFCC front end: 25 ms Hamming frames every 10 ms at 16 kHz, 40 mel bands, DCT-II.
import { SAMPLE_RATE } from '../types.ts';

export const FRAME_HOP = 160;
export const FRAME_LENGTH = 400;
const FFT_SIZE = 512;
const MEL_BANDS = 40;

/** In-place iterative radix-2 complex FFT; `re` and `im` have a power-of-two length. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = ncr;
      }
    }
  }
}

const mel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
const hzOf = (m: number) => 700 * (10 ** (m / 2595) - 1);

/** Triangular mel filters as [firstBin, weights] pairs over the FFT_SIZE/2+1 power bins. */
function melFilterbank(lowHz: number, highHz: number): { first: number; weights: Float64Array }[] {
  const edges = Array.from({ length: MEL_BANDS + 2 }, (_, i) => hzOf(mel(lowHz) + ((mel(highHz) - mel(lowHz)) * i) / (MEL_BANDS + 1)));
  const binHz = SAMPLE_RATE / FFT_SIZE;
  return Array.from({ length: MEL_BANDS }, (_, m) => {
    const [l, c, r] = [edges[m], edges[m + 1], edges[m + 2]];
    const first = Math.ceil(l / binHz);
    const last = Math.floor(r / binHz);
    const weights = new Float64Array(Math.max(0, last - first + 1));
    for (let k = first; k <= last; k++) {
      const f = k * binHz;
      weights[k - first] = f <= c ? (f - l) / (c - l) : (r - f) / (r - c);
    }
    return { first, weights };
  });
}

export interface MfccFrame {
  /** Frame index (10 ms steps from the start of the stream). */
  index: number;
  /** Frame energy in dB (full scale = 0). */
  db: number;
  /** Cepstral coefficients c0..c(n-1); the array is reused between frames, copy what you keep. */
  ceps: Float64Array;
}

/** Turns a stream of 16 kHz sample blocks into MFCC frames, carrying the partial frame between blocks. */
export class MfccStream {
  private readonly window = Float64Array.from({ length: FRAME_LENGTH }, (_, i) => 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (FRAME_LENGTH - 1)));
  private readonly filters = melFilterbank(20, 7600);
  private readonly dct: Float64Array[];
  private buf = new Float32Array(0);
  private index = 0;
  private lastSample = 0;
  private readonly re = new Float64Array(FFT_SIZE);
  private readonly im = new Float64Array(FFT_SIZE);
  private readonly bands = new Float64Array(MEL_BANDS);
  private readonly ceps: Float64Array;

  constructor(readonly numCeps = 20) {
    this.ceps = new Float64Array(numCeps);
    this.dct = Array.from({ length: numCeps }, (_, k) =>
      Float64Array.from({ length: MEL_BANDS }, (_, m) => Math.sqrt((k ? 2 : 1) / MEL_BANDS) * Math.cos((Math.PI * k * (m + 0.5)) / MEL_BANDS)),
    );
  }

  /** Feeds samples; calls `onFrame` for every complete frame. */
  push(block: Float32Array, onFrame: (f: MfccFrame) => void): void {
    // Pre-emphasis is applied on arrival so it runs once per sample, continuing across blocks.
    const emph = new Float32Array(block.length);
    for (let i = 0; i < block.length; i++) {
      emph[i] = block[i] - 0.97 * this.lastSample;
      this.lastSample = block[i];
    }
    const all = new Float32Array(this.buf.length + emph.length);
    all.set(this.buf);
    all.set(emph, this.buf.length);
    let off = 0;
    for (; off + FRAME_LENGTH <= all.length; off += FRAME_HOP) onFrame(this.frame(all, off));
    this.buf = all.slice(off);
  }

  private frame(x: Float32Array, off: number): MfccFrame {
    const { re, im, window } = this;
    let energy = 0;
    let mean = 0;
    for (let i = 0; i < FRAME_LENGTH; i++) mean += x[off + i];
    mean /= FRAME_LENGTH;
    for (let i = 0; i < FRAME_LENGTH; i++) {
      const v = x[off + i] - mean;
      energy += v * v;
      re[i] = v * window[i];
      im[i] = 0;
    }
    re.fill(0, FRAME_LENGTH);
    im.fill(0, FRAME_LENGTH);
    fft(re, im);
    for (let m = 0; m < MEL_BANDS; m++) {
      const { first, weights } = this.filters[m];
      let s = 0;
      for (let k = 0; k < weights.length; k++) {
        const b = first + k;
        s += weights[k] * (re[b] * re[b] + im[b] * im[b]);
      }
      this.bands[m] = Math.log(s + 1e-8);
    }
    for (let k = 0; k < this.numCeps; k++) {
      const row = this.dct[k];
      let s = 0;
      for (let m = 0; m < MEL_BANDS; m++) s += row[m] * this.bands[m];
      this.ceps[k] = s;
    }
    return { index: this.index++, db: 10 * Math.log10(energy / FRAME_LENGTH + 1e-12), ceps: this.ceps };
  }
}
