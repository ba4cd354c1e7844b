// Word assembly from sherpa token output, and the `auto` model choice.
import { describe, expect, it } from 'vitest';
import { pickAsrModel, spreadWords, tokensToWords, type InstalledEngine } from '../src/index.ts';

describe('tokensToWords', () => {
  it('joins Parakeet BPE pieces into words, timed by token starts and TDT durations', () => {
    // as sherpa returns them for a NeMo TDT model: "▁" already turned into a leading space
    const tokens = [' Hel', 'lo', ' wor', 'ld', '.', ' Bye'];
    const timestamps = [0.4, 0.56, 0.88, 1.04, 1.2, 2.0];
    const durations = [0.16, 0.24, 0.16, 0.16, 0.08, 0.32];
    const words = tokensToWords(tokens, timestamps, { durations, clipSeconds: 3, offset: 10 });
    expect(words).toEqual([
      { text: 'Hello', start: 10.4, end: 10.8 },
      { text: ' world.', start: 10.88, end: 11.28 },
      { text: ' Bye', start: 12, end: 12.32 },
    ]);
  });

  it('accepts raw "▁" markers, and without durations ends a word at the next one (capped at 1 s)', () => {
    const words = tokensToWords(['\u2581speech', '\u2581spe', 'ech'], [0.5, 0.9, 3.0], {
      clipSeconds: 3.5,
      logProbs: [-0.1, -0.2, -0.4],
    });
    expect(words.map((w) => [w.text, w.start, w.end])).toEqual([
      ['speech', 0.5, 0.9],
      [' speech', 0.9, 1.9],
    ]);
    expect(words[0].confidence).toBeCloseTo(Math.exp(-0.1), 3);
    expect(words[1].confidence).toBeCloseTo(Math.exp(-0.3), 3);
  });

  it('spreads Whisper text without token times over the clip in proportion to word length', () => {
    const words = spreadWords(' Good morning, everyone.', 4, 2);
    expect(words.map((w) => w.text)).toEqual(['Good', ' morning,', ' everyone.']);
    expect(words[0].start).toBe(2);
    expect(words[2].end).toBe(6);
    expect(words[1].end - words[1].start).toBeGreaterThan(words[0].end - words[0].start);
  });
});

describe('pickAsrModel', () => {
  const e = (name: string, family: InstalledEngine['family'], languages: InstalledEngine['languages']): InstalledEngine => ({
    name,
    kind: 'asr',
    family,
    languages,
    quality: 'best',
  });
  const v2 = e('parakeet-tdt-0.6b-v2', 'nemo_transducer', ['en']);
  const v3 = e('parakeet-tdt-0.6b-v3', 'nemo_transducer', ['de', 'en', 'fr']);
  const whisper = e('whisper-small', 'whisper', 'any');

  it('prefers Parakeet v2 for English, v3 for its languages, Whisper otherwise', () => {
    const all = [v2, v3, whisper];
    expect(pickAsrModel(all, 'en')?.name).toBe('parakeet-tdt-0.6b-v2');
    expect(pickAsrModel(all, 'de')?.name).toBe('parakeet-tdt-0.6b-v3');
    expect(pickAsrModel(all, 'ja')?.name).toBe('whisper-small');
    expect(pickAsrModel(all, 'auto')?.name).toBe('whisper-small');
    expect(pickAsrModel([v2], 'ja')).toBeUndefined();
    expect(pickAsrModel([whisper], 'en')?.name).toBe('whisper-small');
  });
});
