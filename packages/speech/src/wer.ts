// Word error rate, the accuracy figure used by tests and benchmarks.

export interface WerResult {
  /** (substitutions + deletions + insertions) / refWords; 0 for two empty texts, 1 per inserted word for an empty reference. */
  wer: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  refWords: number;
}

/** Lowercases, drops punctuation (keeping apostrophes inside words, as in "don't") and splits on whitespace. */
export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[^\p{L}\p{N}'\s]+/gu, ' ')
    .replace(/(^|\s)'+|'+(?=\s|$)/g, '$1')
    .split(/\s+/)
    .filter(Boolean);
}

/** Levenshtein alignment over words; ties prefer substitutions, then deletions, so the counts are deterministic. */
export function wordErrorRate(reference: string, hypothesis: string): WerResult {
  const ref = normalizeWords(reference);
  const hyp = normalizeWords(hypothesis);
  const n = ref.length;
  const m = hyp.length;
  // Two rows of (cost, subs, dels, ins): O(m) memory whatever the transcript length.
  type Cell = [number, number, number, number];
  let prev: Cell[] = Array.from({ length: m + 1 }, (_, j) => [j, 0, 0, j] as Cell);
  for (let i = 1; i <= n; i++) {
    const row: Cell[] = [[i, 0, i, 0]];
    for (let j = 1; j <= m; j++) {
      const diag = prev[j - 1];
      const same = ref[i - 1] === hyp[j - 1];
      let best: Cell = same ? [diag[0], diag[1], diag[2], diag[3]] : [diag[0] + 1, diag[1] + 1, diag[2], diag[3]];
      const up = prev[j];
      if (up[0] + 1 < best[0]) best = [up[0] + 1, up[1], up[2] + 1, up[3]];
      const left = row[j - 1];
      if (left[0] + 1 < best[0]) best = [left[0] + 1, left[1], left[2], left[3] + 1];
      row.push(best);
    }
    prev = row;
  }
  const [cost, substitutions, deletions, insertions] = prev[m];
  return { wer: n === 0 ? m : cost / n, substitutions, deletions, insertions, refWords: n };
}
