import { describe, expect, it } from 'vitest';
import { batchRegions, RegionBatcher } from '../src/vad-batches.ts';

const r = (start: number, end: number) => ({ start, end });

describe('batchRegions', () => {
  it('merges neighbouring regions up to 30 s', () => {
    const batches = batchRegions([r(0, 10), r(11, 20), r(21, 29), r(30, 35), r(36, 40)]);
    expect(batches.map((b) => [b.start, b.end, b.regions.length])).toEqual([
      [0, 29, 3],
      [30, 40, 2],
    ]);
    expect(batches.every((b) => b.end - b.start <= 30)).toBe(true);
  });

  it('splits a region longer than the limit into equal parts', () => {
    const batches = batchRegions([r(5, 75)], 30);
    expect(batches.map((b) => [b.start, b.end])).toEqual([
      [5, 5 + 70 / 3],
      [5 + 70 / 3, 5 + 140 / 3],
      [5 + 140 / 3, 75],
    ]);
  });

  it('starts a new batch after a long pause', () => {
    expect(batchRegions([r(0, 2), r(10, 12)]).length).toBe(2);
    expect(batchRegions([r(0, 2), r(10, 12)], 30, { maxGapSeconds: 10 }).length).toBe(1);
  });

  it('honours another limit, sorts, and drops empty regions', () => {
    const batches = batchRegions([r(12, 14), r(0, 4), r(5, 5), r(4.5, 9)], 10);
    expect(batches.map((b) => [b.start, b.end])).toEqual([
      [0, 9],
      [12, 14],
    ]);
    expect(batchRegions([])).toEqual([]);
  });
});

describe('RegionBatcher', () => {
  it('closes the open batch once no later region could fit in it', () => {
    const batcher = new RegionBatcher({ maxSeconds: 30, maxGapSeconds: 100 });
    expect(batcher.push(r(0, 5))).toEqual([]);
    expect(batcher.advance(25)).toEqual([]);
    expect(batcher.openSince).toBe(0);
    expect(batcher.advance(31)).toEqual([{ start: 0, end: 5, regions: [r(0, 5)] }]);
    expect(batcher.openSince).toBeNull();
    expect(batcher.flush()).toEqual([]);
  });
});
