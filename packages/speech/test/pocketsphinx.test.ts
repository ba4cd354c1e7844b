import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePcm } from '../src/audio/ffmpeg.ts';
import { PocketsphinxEngine, parseHypseg, tuning, utteranceSpans } from '../src/engines/pocketsphinx.ts';
import { SAMPLE_RATE, SpeechError } from '../src/types.ts';
import { wordErrorRate } from '../src/wer.ts';
import { makeTempDir, speakWithSilences, type SpokenSequence } from './support/speech-audio.ts';

let dir: string;
let cleanup: () => Promise<void>;
let spoken: SpokenSequence;
let pcm: Float32Array;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('speech-pocketsphinx'));
  spoken = await speakWithSilences(
    dir,
    [
      'Good morning everyone, let us start the weekly planning meeting.',
      'We need to decide on the budget for the next quarter.',
      'The marketing team wants to launch the new product in the spring.',
      'I think we should hire two more engineers for the mobile team.',
    ],
    [0.5, 0.8, 0.6, 0.9, 0.5],
  );
  const blocks: Float32Array[] = [];
  for await (const b of decodePcm(spoken.path)) blocks.push(b);
  pcm = new Float32Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) pcm.set(b, (at += b.length) - b.length);
}, 60_000);

afterAll(() => cleanup?.());

describe('pocketsphinx engine', () => {
  it('recognises festival slt speech with WER ≤ 12 % and word times inside the spoken sentences', async () => {
    const engine = new PocketsphinxEngine({ tmpDir: dir });
    expect(engine).toMatchObject({ id: 'pocketsphinx', quality: 'basic', languages: ['en'] });
    const offset = 100;
    const result = await engine.transcribe(pcm, { timestampOffset: offset });
    const { wer } = wordErrorRate(spoken.text, result.text);
    expect(wer).toBeLessThanOrEqual(0.12);
    expect(result.language).toBe('en');
    expect(result.words[0].text).not.toMatch(/^\s/);
    expect(result.words.slice(1).every((w) => w.text.startsWith(' ') && !/[<>[\]()]/.test(w.text))).toBe(true);
    for (const [i, w] of result.words.entries()) {
      expect(w.end).toBeGreaterThanOrEqual(w.start);
      if (i > 0) expect(w.start).toBeGreaterThanOrEqual(result.words[i - 1].end);
      const inside = spoken.regions.some((r) => w.start - offset >= r.start - 0.3 && w.end - offset <= r.end + 0.3);
      expect(inside, `${w.text} at ${w.start - offset}`).toBe(true);
    }
    // The first word of each sentence starts where the sentence starts.
    expect(result.words[0].start - offset).toBeCloseTo(spoken.regions[0].start, 0);
    // No temporary WAV is left behind.
    expect((await readdir(dir)).filter((f) => f.startsWith('pocketsphinx-'))).toEqual([]);
  });

  it('lets POCKETSPHINX_ARGS replace its own decoder settings', async () => {
    expect(tuning(['-beam', '1e-48', '-lw', '8'])).toEqual(['-maxhmmpf', '5000', '-beam', '1e-48', '-lw', '8']);
    // The decoder stops on an option given twice; the engine must pass each once.
    const engine = new PocketsphinxEngine({ tmpDir: dir, extraArgs: ['-beam', '1e-48', '-maxhmmpf', '30000'] });
    const result = await engine.transcribe(pcm);
    expect(wordErrorRate(spoken.text, result.text).wer).toBeLessThanOrEqual(0.12);
  });

  it('returns nothing for silence and for a clip too short to hold a word', async () => {
    const engine = new PocketsphinxEngine({ tmpDir: dir });
    expect((await engine.transcribe(new Float32Array(SAMPLE_RATE * 2))).words).toEqual([]);
    expect(await engine.transcribe(new Float32Array(100))).toEqual({ text: '', words: [], language: 'en' });
  });

  it('reports a missing binary or model as unavailable, naming the apt packages', async () => {
    const noBinary = await new PocketsphinxEngine({ binary: '/nonexistent/pocketsphinx_batch' }).transcribe(pcm.subarray(0, SAMPLE_RATE)).catch((e: unknown) => e);
    expect(noBinary).toBeInstanceOf(SpeechError);
    expect((noBinary as SpeechError).kind).toBe('unavailable');
    expect((noBinary as SpeechError).message).toMatch(/apt-get install pocketsphinx pocketsphinx-en-us/);
    const noModel = await new PocketsphinxEngine({ modelDir: dir }).transcribe(pcm.subarray(0, SAMPLE_RATE)).catch((e: unknown) => e);
    expect((noModel as SpeechError).kind).toBe('unavailable');
    expect((noModel as SpeechError).message).toMatch(/pocketsphinx-en-us/);
  });

  it('refuses languages other than English', async () => {
    const err = await new PocketsphinxEngine().transcribe(pcm, { language: 'fr' }).catch((e: unknown) => e);
    expect((err as SpeechError).kind).toBe('unavailable');
    expect((err as SpeechError).message).toMatch(/only recognises English/);
  });

  it('can be aborted', async () => {
    const controller = new AbortController();
    const pending = new PocketsphinxEngine({ tmpDir: dir }).transcribe(pcm, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(pending).rejects.toThrow(/aborted/);
  });
});

describe('utteranceSpans', () => {
  it('gives each speech region its own utterance, padded but never overlapping a neighbour', () => {
    const spans = utteranceSpans(
      [
        { start: 0.1, end: 1.5 },
        { start: 1.7, end: 3 },
        { start: 5, end: 5.05 },
        { start: 6, end: 9.9 },
      ],
      10,
    );
    expect(spans).toEqual([
      { startFrame: 0, endFrame: 160 },
      { startFrame: 160, endFrame: 320 },
      { startFrame: 480, endFrame: 525 },
      { startFrame: 580, endFrame: 1000 },
    ]);
    expect(utteranceSpans([], 10)).toEqual([]);
  });
});

describe('parseHypseg', () => {
  it('drops silence and noise tokens, folds pronunciation variants and places words by utterance and offset', () => {
    const output = [
      'u0 S 0 T -8362431 A -7834624 L -527807 0 -305152 0 <s> 13 -499712 -398 good(2) 28 -1187840 -241 morning 73 -191488 -524288 <sil> 80 -1000 -2 [NOISE] 90 -615424 -501 let 120',
      'u1 S 0 T -1 A -1 L -1 3 -838656 -749 us 30 -2 -3 </s> 40',
    ].join('\n');
    const utterances = [
      { startFrame: 100, endFrame: 230 },
      { startFrame: 300, endFrame: 400 },
    ];
    expect(parseHypseg(output, utterances, 10)).toEqual([
      { text: 'good', start: 11.13, end: 11.28 },
      { text: ' morning', start: 11.28, end: 11.73 },
      { text: ' let', start: 11.9, end: 12.2 },
      { text: ' us', start: 13.03, end: 13.3 },
    ]);
  });
});
