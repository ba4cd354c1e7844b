// Diarization error rate, frame by frame (10 ms), without a forgiveness collar. Overlapping speech is
// scored like the NIST tool: a frame with two reference speakers counts twice.
import { SpeechError } from './types.ts';

export interface LabelledSegment {
  start: number;
  end: number;
  speaker: string | number;
}

export interface RttmSegment extends LabelledSegment {
  file: string;
  speaker: string;
}

/** Parses the SPEAKER lines of an RTTM file; other line types and comments are ignored. */
export function parseRttm(text: string): RttmSegment[] {
  const out: RttmSegment[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const f = line.split(/\s+/);
    if (f[0] !== 'SPEAKER') continue;
    const start = Number(f[3]);
    const dur = Number(f[4]);
    if (f.length < 8 || !Number.isFinite(start) || !Number.isFinite(dur) || dur < 0) {
      throw new SpeechError(`RTTM line ${i + 1} is not "SPEAKER <file> <chan> <start> <dur> <NA> <NA> <speaker> ...": ${line}`, 'bad_input');
    }
    out.push({ file: f[1], start, end: start + dur, speaker: f[7] });
  }
  return out;
}

/** Formats segments as RTTM SPEAKER lines. */
export function toRttm(file: string, segments: LabelledSegment[]): string {
  return segments
    .map((s) => `SPEAKER ${file} 1 ${s.start.toFixed(3)} ${(s.end - s.start).toFixed(3)} <NA> <NA> ${s.speaker} <NA> <NA>`)
    .join('\n');
}

export interface DerResult {
  /** (missed + falseAlarm + confusion) / referenceSpeech; 0 when the reference has no speech and nothing is hypothesised. */
  der: number;
  /** All in seconds of speaker time. */
  referenceSpeech: number;
  missed: number;
  falseAlarm: number;
  confusion: number;
  /** Hypothesis label → the reference label it was mapped to (unmapped labels are absent). */
  mapping: Record<string, string>;
  referenceSpeakers: number;
  hypothesisSpeakers: number;
}

export interface DerOptions {
  /** Frame length in seconds (default 0.01). */
  frame?: number;
  /** Only score inside this range (seconds). */
  from?: number;
  to?: number;
}

export function computeDer(reference: LabelledSegment[], hypothesis: LabelledSegment[], opts: DerOptions = {}): DerResult {
  const frame = opts.frame ?? 0.01;
  const end = opts.to ?? Math.max(0, ...reference.map((s) => s.end), ...hypothesis.map((s) => s.end));
  const from = opts.from ?? 0;
  const n = Math.max(0, Math.ceil((end - from) / frame));
  const ref = rasterise(reference, n, frame, from);
  const hyp = rasterise(hypothesis, n, frame, from);

  const nRef = new Uint8Array(n);
  const nHyp = new Uint8Array(n);
  for (const m of ref.masks) for (let i = 0; i < n; i++) nRef[i] += m[i];
  for (const m of hyp.masks) for (let i = 0; i < n; i++) nHyp[i] += m[i];

  // Time both speakers of a pair are active: the optimal 1:1 mapping maximises the total.
  const overlap = ref.masks.map((r) =>
    hyp.masks.map((h) => {
      let c = 0;
      for (let i = 0; i < n; i++) c += r[i] & h[i];
      return c;
    }),
  );
  const assignment = maximumAssignment(overlap);
  let correct = 0;
  const mapping: Record<string, string> = {};
  assignment.forEach((h, r) => {
    if (h < 0 || overlap[r][h] === 0) return;
    correct += overlap[r][h];
    mapping[hyp.labels[h]] = ref.labels[r];
  });

  let refTotal = 0;
  let missed = 0;
  let falseAlarm = 0;
  let matched = 0;
  for (let i = 0; i < n; i++) {
    refTotal += nRef[i];
    missed += Math.max(0, nRef[i] - nHyp[i]);
    falseAlarm += Math.max(0, nHyp[i] - nRef[i]);
    matched += Math.min(nRef[i], nHyp[i]);
  }
  const confusion = matched - correct;
  const errors = missed + falseAlarm + confusion;
  return {
    der: refTotal ? errors / refTotal : errors ? 1 : 0,
    referenceSpeech: refTotal * frame,
    missed: missed * frame,
    falseAlarm: falseAlarm * frame,
    confusion: confusion * frame,
    mapping,
    referenceSpeakers: ref.labels.length,
    hypothesisSpeakers: hyp.labels.length,
  };
}

function rasterise(segments: LabelledSegment[], n: number, frame: number, from: number) {
  const labels: string[] = [];
  const masks: Uint8Array[] = [];
  for (const s of segments) {
    const label = String(s.speaker);
    let k = labels.indexOf(label);
    if (k < 0) {
      k = labels.push(label) - 1;
      masks.push(new Uint8Array(n));
    }
    // A frame belongs to a segment when its centre does.
    const a = Math.max(0, Math.ceil((s.start - from) / frame - 0.5));
    const b = Math.min(n, Math.ceil((s.end - from) / frame - 0.5));
    masks[k].fill(1, a, Math.max(a, b));
  }
  return { labels, masks };
}

/**
 * Hungarian algorithm (rows → columns) maximising the summed weight; returns for each row its column or -1.
 * Works on rectangular matrices by padding with zeros.
 */
export function maximumAssignment(weight: number[][]): number[] {
  const rows = weight.length;
  const cols = rows ? Math.max(0, ...weight.map((r) => r.length)) : 0;
  const size = Math.max(rows, cols);
  if (!size) return [];
  let max = 0;
  for (const r of weight) for (const v of r) max = Math.max(max, v);
  const cost = (i: number, j: number) => max - (i < rows && j < cols ? (weight[i][j] ?? 0) : 0);
  // Potentials u, v and the column matching p, 1-based as in the classic shortest-augmenting-path form.
  const u = new Float64Array(size + 1);
  const v = new Float64Array(size + 1);
  const p = new Int32Array(size + 1);
  const way = new Int32Array(size + 1);
  for (let i = 1; i <= size; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(size + 1).fill(Infinity);
    const used = new Uint8Array(size + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= size; j++) {
        if (used[j]) continue;
        const cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= size; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const out = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= size; j++) {
    const i = p[j] - 1;
    if (i < rows && j - 1 < cols) out[i] = j - 1;
  }
  return out;
}
