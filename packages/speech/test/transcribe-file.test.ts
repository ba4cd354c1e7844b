import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PocketsphinxEngine } from '../src/engines/pocketsphinx.ts';
import { DIALOGUES } from '../src/testing/dialogues.ts';
import { synthesizeMeeting, type SynthMeeting } from '../src/testing/synth-meeting.ts';
import { transcribeFile } from '../src/transcribe-file.ts';
import { SpeechError } from '../src/types.ts';
import { wordErrorRate } from '../src/wer.ts';
import { ffmpeg, makeTempDir } from './support/speech-audio.ts';

let dir: string;
let cleanup: () => Promise<void>;
let meeting: SynthMeeting;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('speech-transcribe-file'));
  meeting = await synthesizeMeeting({ turns: DIALOGUES.twoSpeakers(), name: 'two-speakers' });
}, 120_000);

afterAll(() => cleanup?.());

describe('transcribeFile with pocketsphinx', () => {
  it('transcribes a two-speaker slt/kal meeting with WER ≤ 20 % and words placed in the turns', async () => {
    // An mp3 exercises the real decode path rather than a ready-made 16 kHz WAV.
    const mp3 = join(dir, 'meeting.mp3');
    await ffmpeg('-i', meeting.wavPath, '-c:a', 'libmp3lame', '-b:a', '64k', mp3);
    const progress: number[] = [];
    const result = await transcribeFile(mp3, new PocketsphinxEngine({ tmpDir: dir }), { onProgress: (f) => progress.push(f), language: 'en' });

    const { wer } = wordErrorRate(meeting.transcript, result.text);
    expect(wer).toBeLessThanOrEqual(0.2);
    expect(result.language).toBe('en');
    expect(result.durationSeconds).toBeCloseTo(meeting.duration, 0);
    expect(result.batches).toBeGreaterThanOrEqual(2);
    expect(result.words[0].text).not.toMatch(/^ /);
    expect(result.words.slice(1).every((w) => /^ \S+$/.test(w.text))).toBe(true);
    expect(result.text).toBe(result.words.map((w) => w.text).join(''));
    for (const [i, w] of result.words.entries()) {
      if (i > 0) expect(w.start).toBeGreaterThanOrEqual(result.words[i - 1].start);
      const inTurn = meeting.turns.some((t) => w.start >= t.start - 0.5 && w.end <= t.end + 0.5);
      expect(inTurn, `${w.text} at ${w.start}`).toBe(true);
    }
    // Every turn is covered by the VAD.
    for (const t of meeting.turns) {
      expect(result.speechRegions.some((r) => r.start < t.end && r.end > t.start)).toBe(true);
    }
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1])).toBe(true);
    expect(progress[progress.length - 1]).toBe(1);
  }, 180_000);

  it('uses speech regions found earlier instead of running the VAD again', async () => {
    const engine = new PocketsphinxEngine({ tmpDir: dir });
    const first = await transcribeFile(meeting.wavPath, engine, { language: 'en' });
    expect(first.vadSeconds).toBeGreaterThan(0);
    // The regions of one speaker's turns only: the other speaker's turns are then never recognised.
    const kept = first.speechRegions.filter((r) => meeting.turns.some((t) => t.speakerIndex === 0 && r.start < t.end && r.end > t.start));
    const again = await transcribeFile(meeting.wavPath, engine, { language: 'en', speechRegions: kept });
    expect(again.vadSeconds).toBe(0);
    expect(again.speechRegions).toEqual(kept);
    expect(again.words.length).toBeGreaterThan(5);
    expect(again.words.every((w) => kept.some((r) => w.start >= r.start - 0.4 && w.end <= r.end + 0.4))).toBe(true);
    expect(again.words.length).toBeLessThan(first.words.length * 0.8);
  }, 180_000);

  it('holds a bounded window of audio through a long silence', async () => {
    // Speech, four minutes of silence, speech again: nothing in between needs to be kept.
    const long = join(dir, 'long-silence.flac');
    await ffmpeg(
      '-i', meeting.wavPath, '-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono:d=240', '-i', meeting.wavPath,
      '-filter_complex', '[0]atrim=0:8[a];[2]atrim=0:8[b];[a][1][b]concat=n=3:v=0:a=1', long,
    );
    const result = await transcribeFile(long, new PocketsphinxEngine({ tmpDir: dir }));
    expect(result.durationSeconds).toBeCloseTo(256, 0);
    expect(result.peakWindowSeconds).toBeLessThan(40);
    expect(result.words.length).toBeGreaterThan(10);
    expect(result.words.some((w) => w.start > 248)).toBe(true);
    expect(result.words.every((w) => w.start < 9 || w.start > 247)).toBe(true);
  }, 180_000);

  it('rejects a file without audio', async () => {
    const video = join(dir, 'video.mp4');
    await ffmpeg('-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x64:rate=5', '-c:v', 'libx264', video);
    const err = await transcribeFile(video, new PocketsphinxEngine()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechError);
    expect((err as SpeechError).kind).toBe('bad_input');
    expect((err as SpeechError).message).toMatch(/no audio/);
  });
});
