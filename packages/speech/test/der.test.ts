import { describe, expect, it } from 'vitest';
import { computeDer, maximumAssignment, parseRttm, toRttm } from '../src/der.ts';

const ref = [
  { start: 0, end: 2, speaker: 'alice' },
  { start: 2.5, end: 4, speaker: 'bob' },
  { start: 4.5, end: 6, speaker: 'alice' },
];

describe('DER', () => {
  it('is zero for a perfect hypothesis', () => {
    const r = computeDer(ref, ref);
    expect(r.der).toBe(0);
    expect(r.referenceSpeech).toBeCloseTo(5, 5);
  });

  it('maps labels optimally, so swapped or renamed labels cost nothing', () => {
    const hyp = ref.map((s) => ({ ...s, speaker: s.speaker === 'alice' ? 1 : 0 }));
    const r = computeDer(ref, hyp);
    expect(r.der).toBe(0);
    expect(r.mapping).toEqual({ '1': 'alice', '0': 'bob' });
  });

  it('counts missed speech, false alarm and confusion separately', () => {
    const hyp = [
      { start: 0, end: 1, speaker: 'a' }, // 1 s of alice missed
      { start: 2.5, end: 4, speaker: 'b' },
      { start: 4.5, end: 6, speaker: 'b' }, // alice labelled as bob: 1.5 s confusion
      { start: 7, end: 8, speaker: 'a' }, // 1 s false alarm
    ];
    const r = computeDer(ref, hyp);
    expect(r.missed).toBeCloseTo(1, 5);
    expect(r.falseAlarm).toBeCloseTo(1, 5);
    expect(r.confusion).toBeCloseTo(1.5, 5);
    expect(r.der).toBeCloseTo(3.5 / 5, 5);
  });

  it('scores overlapping reference speech per speaker', () => {
    const overlapRef = [
      { start: 0, end: 2, speaker: 'a' },
      { start: 1, end: 3, speaker: 'b' },
    ];
    const r = computeDer(overlapRef, [
      { start: 0, end: 1.5, speaker: 'x' },
      { start: 1.5, end: 3, speaker: 'y' },
    ]);
    // Reference speech is 4 s; the hypothesis never has two speakers, so the 1 s overlap is half missed.
    expect(r.referenceSpeech).toBeCloseTo(4, 5);
    expect(r.missed).toBeCloseTo(1, 5);
    expect(r.confusion).toBeCloseTo(0, 5);
  });

  it('an extra hypothesis speaker is confusion, not a free pass', () => {
    const r = computeDer(ref, [
      { start: 0, end: 2, speaker: 1 },
      { start: 2.5, end: 4, speaker: 2 },
      { start: 4.5, end: 6, speaker: 3 },
    ]);
    expect(r.confusion).toBeCloseTo(1.5, 5);
    expect(r.hypothesisSpeakers).toBe(3);
  });

  it('round-trips RTTM and rejects malformed lines', () => {
    const text = toRttm('f', ref);
    const parsed = parseRttm(`;; comment\n${text}\nSPKR-INFO f 1 <NA> <NA> <NA> unknown alice <NA>\n`);
    expect(parsed).toHaveLength(3);
    expect(parsed[1]).toMatchObject({ file: 'f', speaker: 'bob', start: 2.5 });
    expect(parsed[1].end).toBeCloseTo(4, 6);
    expect(() => parseRttm('SPEAKER f 1 abc 1 <NA> <NA> x <NA> <NA>')).toThrow(/RTTM line 1/);
  });

  it('Hungarian assignment finds the maximum on rectangular matrices', () => {
    expect(maximumAssignment([[1, 5], [4, 1]])).toEqual([1, 0]);
    expect(maximumAssignment([[1, 2, 9]])).toEqual([2]);
    expect(maximumAssignment([[3], [7]])).toEqual([-1, 0]);
    // Brute force over all permutations agrees on a random 6×6.
    const w = Array.from({ length: 6 }, (_, i) => Array.from({ length: 6 }, (_, j) => ((i * 7 + j * 13) % 11) + ((i * j) % 5)));
    const perms = (n: number): number[][] => (n === 0 ? [[]] : perms(n - 1).flatMap((p) => Array.from({ length: n }, (_, k) => [...p.slice(0, k), n - 1, ...p.slice(k)])));
    const best = Math.max(...perms(6).map((p) => p.reduce((s, c, r) => s + w[r][c], 0)));
    const got = maximumAssignment(w).reduce((s, c, r) => s + w[r][c], 0);
    expect(got).toBe(best);
  });
});
