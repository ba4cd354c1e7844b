import { existsSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePcm } from '../src/audio/ffmpeg.ts';
import { SAMPLE_RATE, SpeechError, type SpeechRegion } from '../src/types.ts';
import { transcodeAudio } from '../src/audio/encode.ts';
import { detectSpeech, KnownSpeech, SILERO_VAD_MODEL, VoiceActivityDetector } from '../src/vad.ts';
import { makeTempDir, speakWithSilences, type SpokenSequence } from './support/speech-audio.ts';

let dir: string;
let cleanup: () => Promise<void>;
let spoken: SpokenSequence;

const SENTENCES = [
  'Good morning everyone and welcome to the planning meeting.',
  'We need to decide on the budget for the next quarter.',
  'The design team would like two more weeks for the new screens.',
  'Let us meet again on Thursday afternoon.',
];

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('speech-vad'));
  spoken = await speakWithSilences(dir, SENTENCES, [1.0, 1.5, 0.8, 2.0, 1.0]);
}, 60_000);

afterAll(() => cleanup?.());

/** Sentence-internal pauses may split a sentence; the silences placed between sentences are all ≥ 0.8 s. */
function mergeShortGaps(regions: SpeechRegion[], gap = 0.5): SpeechRegion[] {
  const out: SpeechRegion[] = [];
  for (const r of regions) {
    const last = out[out.length - 1];
    if (last && r.start - last.end < gap) last.end = r.end;
    else out.push({ ...r });
  }
  return out;
}

describe('Silero VAD', () => {
  it('finds each sentence with boundaries within 0.3 s', async () => {
    const regions: SpeechRegion[] = [];
    for await (const r of detectSpeech(decodePcm(spoken.path))) regions.push(r);
    const merged = mergeShortGaps(regions);
    expect(merged).toHaveLength(spoken.regions.length);
    merged.forEach((r, i) => {
      expect(Math.abs(r.start - spoken.regions[i].start), `start of sentence ${i}`).toBeLessThan(0.3);
      expect(Math.abs(r.end - spoken.regions[i].end), `end of sentence ${i}`).toBeLessThan(0.3);
    });
  });

  it('gives the same regions whatever the block size', async () => {
    const collect = async (blockSamples: number) => {
      const vad = await VoiceActivityDetector.create();
      const out: SpeechRegion[] = [];
      for await (const block of decodePcm(spoken.path, { blockSamples })) out.push(...vad.push(block));
      out.push(...vad.flush());
      return out;
    };
    const a = await collect(SAMPLE_RATE);
    const b = await collect(1234);
    expect(b).toEqual(a);
  });

  it('finds the same regions while the audio is transcoded as on a separate read', async () => {
    const separate: SpeechRegion[] = [];
    for await (const r of detectSpeech(decodePcm(spoken.path))) separate.push(r);
    const wav = join(dir, 'transcoded-16k.wav');
    const { speechRegions, vadSeconds, waveform } = await transcodeAudio(spoken.path, { pcmWav: wav, speech: {} });
    expect(waveform).toBeNull();
    expect(vadSeconds).toBeGreaterThan(0);
    expect(speechRegions).toHaveLength(separate.length);
    speechRegions!.forEach((r, i) => {
      expect(r.start).toBeCloseTo(separate[i].start, 1);
      expect(r.end).toBeCloseTo(separate[i].end, 1);
    });
  });

  it('reports a detector that cannot load while transcoding, and leaves no output behind', async () => {
    const wav = join(dir, 'no-detector-16k.wav');
    const err = await transcodeAudio(spoken.path, { pcmWav: wav, speech: { modelPath: join(dir, 'nope.onnx') } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechError);
    expect((err as SpeechError).kind).toBe('model_missing');
    expect(existsSync(wav)).toBe(false);
    expect(existsSync(`${wav}.part`)).toBe(false);
  });

  it('releases known regions as a stream reaches their end, as the detector would', async () => {
    const regions = [
      { start: 2.5, end: 3 },
      { start: 0.5, end: 1.5 },
    ];
    const known = new KnownSpeech(regions);
    expect(known.longestSeconds).toBe(1);
    expect(known.push(new Float32Array(SAMPLE_RATE))).toEqual([]);
    expect(known.push(new Float32Array(SAMPLE_RATE))).toEqual([{ start: 0.5, end: 1.5 }]);
    expect(known.processedSeconds).toBe(2);
    expect(known.push(new Float32Array(SAMPLE_RATE / 2))).toEqual([]);
    expect(known.flush()).toEqual([{ start: 2.5, end: 3 }]);
  });

  it('finds nothing in silence', async () => {
    const vad = await VoiceActivityDetector.create();
    expect(vad.push(new Float32Array(SAMPLE_RATE * 5))).toEqual([]);
    expect(vad.flush()).toEqual([]);
  });

  it('refuses a missing or altered model file instead of silently detecting nothing', async () => {
    const missing = await VoiceActivityDetector.create({ modelPath: join(dir, 'nope.onnx') }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SpeechError);
    expect((missing as SpeechError).kind).toBe('model_missing');

    const copy = join(dir, 'copy.onnx');
    await copyFile(SILERO_VAD_MODEL, copy);
    const wrongHash = await VoiceActivityDetector.create({ modelPath: copy, sha256: '0'.repeat(64) }).catch((e: unknown) => e);
    expect((wrongHash as SpeechError).kind).toBe('model_invalid');

    const garbage = join(dir, 'garbage.onnx');
    await writeFile(garbage, 'not a model');
    const bad = await VoiceActivityDetector.create({ modelPath: garbage, sha256: '0'.repeat(64) }).catch((e: unknown) => e);
    expect((bad as SpeechError).kind).toBe('model_invalid');
    expect((bad as SpeechError).message).toMatch(/damaged or not the expected file/);
  });
});
