import { describe, expect, it } from 'vitest';
import type { TopicWithWords } from '../../src/api/types.ts';
import { flattenTopics, segmentOfWord, wordAt } from '../../src/lib/segments.ts';
import { queryTerms } from '../../src/lib/highlight.tsx';
import { formatClock, parseClock } from '../../src/lib/time.ts';

const topic = (id: string, words: Array<[string, number, number]>): TopicWithWords => ({
  id,
  title: id,
  summary: '',
  timestamp: words[0]?.[1] ?? 0,
  duration: null,
  transcript: '',
  translation: null,
  segments: [],
  words: words.map(([text, start, speaker]) => ({ text, start, end: start + 0.4, speaker })),
});

describe('flattenTopics', () => {
  it('splits on speaker changes and topic boundaries, and indexes every word once', () => {
    const flat = flattenTopics([
      topic('a', [[' Hello', 0, 0], [' there.', 0.5, 0], [' Hi', 1, 1]]),
      topic('b', [[' Next', 2, 1], [' topic', 2.5, 1]]),
    ]);
    expect(flat.words).toHaveLength(5);
    expect(flat.segments.map((s) => [s.speaker, s.from, s.to, s.topicStart])).toEqual([
      [0, 0, 2, true],
      [1, 2, 3, false],
      [1, 3, 5, true],
    ]);
    expect(flat.topicFirstSegment).toEqual([0, 2]);
  });

  it('closes a long segment at a sentence end', () => {
    const long = Array.from({ length: 30 }, (_, i): [string, number, number] => [i === 20 ? ' end.' : ' words', i, 0]);
    const flat = flattenTopics([topic('a', long)]);
    expect(flat.segments.map((s) => s.to - s.from)).toEqual([21, 9]);
  });
});

describe('wordAt and segmentOfWord', () => {
  const flat = flattenTopics([topic('a', [[' a', 0, 0], [' b', 1, 0], [' c', 2, 1], [' d', 10, 1]])]);
  it('finds the word being spoken, and none during a long silence', () => {
    expect(wordAt(flat.words, -1)).toBe(-1);
    expect(wordAt(flat.words, 1.2)).toBe(1);
    expect(wordAt(flat.words, 2.1)).toBe(2);
    expect(wordAt(flat.words, 6)).toBe(-1);
    expect(wordAt(flat.words, 10.2)).toBe(3);
  });
  it('maps a word to its segment', () => {
    expect(segmentOfWord(flat.segments, 1)).toBe(0);
    expect(segmentOfWord(flat.segments, 3)).toBe(1);
    expect(segmentOfWord(flat.segments, 9)).toBe(-1);
  });
});

describe('time and search helpers', () => {
  it('formats and parses clock times', () => {
    expect(formatClock(75.4)).toBe('1:15');
    expect(formatClock(3723)).toBe('1:02:03');
    expect(parseClock('[12:34]')).toBe(754);
    expect(parseClock('(1:02:03)')).toBe(3723);
    expect(parseClock('soon')).toBeNull();
  });
  it('keeps the words of a web-search query worth highlighting', () => {
    expect(queryTerms('"budget review" or -travel a')).toEqual(['budget', 'review', 'travel']);
  });
});
