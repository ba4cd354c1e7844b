// Full-covariance Gaussian statistics over cepstral frames, kept as sums so that segments and clusters
// combine by addition and no frame has to be kept.

export const DIM = 19;
const TRI = (DIM * (DIM + 1)) / 2;
/** Layout of one packed statistics record: count, sum[DIM], upper triangle of the sum of outer products. */
export const STAT_SIZE = 1 + DIM + TRI;

export type Stats = Float64Array;

export function newStats(): Stats {
  return new Float64Array(STAT_SIZE);
}

export function accumulate(st: Stats | Float32Array, offset: number, x: ArrayLike<number>, from = 0): void {
  st[offset] += 1;
  let t = offset + 1 + DIM;
  for (let i = 0; i < DIM; i++) {
    const xi = x[from + i];
    st[offset + 1 + i] += xi;
    for (let j = i; j < DIM; j++) st[t++] += xi * x[from + j];
  }
}

export function addInto(dst: Stats, src: ArrayLike<number>, srcOffset = 0): void {
  for (let i = 0; i < STAT_SIZE; i++) dst[i] += src[srcOffset + i];
}

export interface Gaussian {
  n: number;
  mean: Float64Array;
  /** Cholesky factor L of the covariance (row-major, lower). */
  chol: Float64Array;
  /** Inverse covariance (row-major). */
  inv: Float64Array;
  logDet: number;
}

/** Variance floor added to the diagonal: keeps tiny or degenerate clusters invertible. */
const FLOOR = 1e-3;

export function gaussian(st: Stats): Gaussian {
  const n = Math.max(st[0], 1e-9);
  const mean = new Float64Array(DIM);
  for (let i = 0; i < DIM; i++) mean[i] = st[1 + i] / n;
  const cov = new Float64Array(DIM * DIM);
  let t = 1 + DIM;
  for (let i = 0; i < DIM; i++) {
    for (let j = i; j < DIM; j++) {
      const c = st[t++] / n - mean[i] * mean[j];
      cov[i * DIM + j] = c;
      cov[j * DIM + i] = c;
    }
    cov[i * DIM + i] += FLOOR;
  }
  const chol = new Float64Array(DIM * DIM);
  let logDet = 0;
  for (let i = 0; i < DIM; i++) {
    for (let j = 0; j <= i; j++) {
      let s = cov[i * DIM + j];
      for (let k = 0; k < j; k++) s -= chol[i * DIM + k] * chol[j * DIM + k];
      if (i === j) {
        const d = Math.sqrt(Math.max(s, 1e-10));
        chol[i * DIM + i] = d;
        logDet += 2 * Math.log(d);
      } else chol[i * DIM + j] = s / chol[j * DIM + j];
    }
  }
  // Inverse from the Cholesky factor, column by column: solve L y = e, then Lᵀ x = y.
  const inv = new Float64Array(DIM * DIM);
  const y = new Float64Array(DIM);
  for (let c = 0; c < DIM; c++) {
    for (let i = 0; i < DIM; i++) {
      let s = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) s -= chol[i * DIM + k] * y[k];
      y[i] = s / chol[i * DIM + i];
    }
    for (let i = DIM - 1; i >= 0; i--) {
      let s = y[i];
      for (let k = i + 1; k < DIM; k++) s -= chol[k * DIM + i] * inv[k * DIM + c];
      inv[i * DIM + c] = s / chol[i * DIM + i];
    }
  }
  return { n, mean, chol, inv, logDet };
}

const PARAMS = DIM + (DIM * (DIM + 1)) / 2;

/**
 * ΔBIC of keeping two clusters apart rather than merging them, divided by the merged frame count so that
 * it does not grow with the length of the recording. Positive: the two are better modelled apart.
 */
export function deltaBicPerFrame(a: Stats, b: Stats): number {
  const merged = newStats();
  addInto(merged, a);
  addInto(merged, b);
  const n = merged[0];
  const ga = gaussian(a);
  const gb = gaussian(b);
  const gm = gaussian(merged);
  return (0.5 * (n * gm.logDet - a[0] * ga.logDet - b[0] * gb.logDet) - 0.5 * PARAMS * Math.log(n)) / n;
}

/** Summed log-likelihood of the frames summarised by `st` (packed at `offset`) under `g`, up to a constant. */
export function logLikelihood(g: Gaussian, st: ArrayLike<number>, offset = 0): number {
  const n = st[offset];
  if (!n) return 0;
  // Σ (x-μ)ᵀ Σ⁻¹ (x-μ) = Σ_ij (Σ⁻¹)_ij M_ij, with M the scatter of the frames around μ, from the sums.
  let quad = 0;
  let t = offset + 1 + DIM;
  for (let i = 0; i < DIM; i++) {
    const si = st[offset + 1 + i];
    for (let j = i; j < DIM; j++) {
      const sj = st[offset + 1 + j];
      const v = st[t++] - si * g.mean[j] - g.mean[i] * sj + n * g.mean[i] * g.mean[j];
      quad += (i === j ? 1 : 2) * g.inv[i * DIM + j] * v;
    }
  }
  return -0.5 * (n * g.logDet + quad);
}
