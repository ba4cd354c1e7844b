import { describe, expect, it } from 'vitest';
import { normalizeWords, wordErrorRate } from '../src/wer.ts';

describe('word error rate', () => {
  it('is zero for the same words regardless of case and punctuation', () => {
    expect(wordErrorRate('Hello, World! It’s fine.', 'hello world it\'s fine')).toEqual({ wer: 0, substitutions: 0, deletions: 0, insertions: 0, refWords: 4 });
  });

  it('counts substitutions, deletions and insertions', () => {
    expect(wordErrorRate('the cat sat on the mat', 'the bat sat on mat')).toEqual({ wer: 2 / 6, substitutions: 1, deletions: 1, insertions: 0, refWords: 6 });
    expect(wordErrorRate('a b c', 'a x b c d')).toEqual({ wer: 2 / 3, substitutions: 0, deletions: 0, insertions: 2, refWords: 3 });
    expect(wordErrorRate('one two three four', 'four three two one').wer).toBe(1);
  });

  it('handles empty texts', () => {
    expect(wordErrorRate('', '').wer).toBe(0);
    expect(wordErrorRate('', 'extra words').insertions).toBe(2);
    expect(wordErrorRate('some words', '')).toMatchObject({ wer: 1, deletions: 2 });
  });

  it('normalises words', () => {
    expect(normalizeWords("  Don't STOP -- the 'quoted' words, ok?  ")).toEqual(["don't", 'stop', 'the', 'quoted', 'words', 'ok']);
    expect(normalizeWords('Déjà vu: 42 times')).toEqual(['déjà', 'vu', '42', 'times']);
  });
});
