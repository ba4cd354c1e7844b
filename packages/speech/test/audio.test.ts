import { createReadStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePcm } from '../src/audio/ffmpeg.ts';
import { encodeMp3, transcodeAudio, writeWav } from '../src/audio/encode.ts';
import { PcmWindow } from '../src/audio/pcm-window.ts';
import { probe } from '../src/audio/probe.ts';
import { computeWaveform, WaveformAccumulator } from '../src/audio/waveform.ts';
import { SAMPLE_RATE, SpeechError } from '../src/types.ts';
import { ffmpeg, makeTempDir } from './support/speech-audio.ts';

let dir: string;
let cleanup: () => Promise<void>;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('speech-audio'));
  const tone = ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=4'];
  await ffmpeg(...tone, file('tone.mp3'));
  await ffmpeg(...tone, file('tone.wav'));
  await ffmpeg(...tone, '-c:a', 'libopus', file('tone.webm'));
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc=duration=4:size=160x120:rate=10', ...tone, '-c:v', 'libx264', '-c:a', 'aac', '-shortest', file('video.mp4'));
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc=duration=2:size=160x120:rate=10', '-c:v', 'libx264', file('silent-video.mp4'));
  // 1 s of quiet tone, 1 s loud, 2 s silence: the waveform shape is known.
  await ffmpeg(
    '-f', 'lavfi', '-i', 'sine=frequency=300:duration=1', '-f', 'lavfi', '-i', 'sine=frequency=300:duration=1', '-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono:d=2',
    '-filter_complex', '[0]volume=0.25,aresample=44100[a];[1]aresample=44100[b];[a][b][2]concat=n=3:v=0:a=1', file('shape.wav'),
  );
  await writeFile(file('notes.txt'), 'these are meeting notes, not audio\n');
  for (const name of ['tone.mp3', 'tone.webm', 'video.mp4']) {
    const data = await readFile(file(name));
    await writeFile(file(`cut-${name}`), data.subarray(0, Math.floor(data.length * 0.4)));
  }
}, 60_000);

afterAll(() => cleanup?.());

async function expectBadInput(promise: Promise<unknown>, message: RegExp) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SpeechError);
  expect((err as SpeechError).kind).toBe('bad_input');
  expect((err as SpeechError).message).toMatch(message);
}

describe('probe', () => {
  it('describes audio-only files', async () => {
    for (const [name, format, codec] of [['tone.mp3', 'mp3', 'mp3'], ['tone.wav', 'wav', 'pcm_s16le'], ['tone.webm', 'matroska,webm', 'opus']]) {
      const info = await probe(file(name));
      expect(info, name).toMatchObject({ hasAudio: true, hasVideo: false, format, audioCodec: codec });
      expect(info.durationSeconds, name).toBeCloseTo(4, 1);
    }
  });

  it('sees the video and the audio of an mp4', async () => {
    const info = await probe(file('video.mp4'));
    expect(info).toMatchObject({ hasAudio: true, hasVideo: true, audioCodec: 'aac' });
    expect(info.format).toContain('mp4');
    expect(info.durationSeconds).toBeCloseTo(4, 0);
  });

  it('reports a video without sound as having no audio', async () => {
    const info = await probe(file('silent-video.mp4'));
    expect(info).toMatchObject({ hasAudio: false, hasVideo: true, audioCodec: null });
    expect(info.durationSeconds).toBeCloseTo(2, 1);
  });

  it('rejects a text file, a missing file and truncated files as bad input', async () => {
    await expectBadInput(probe(file('notes.txt')), /cannot read media file: Invalid data/);
    await expectBadInput(probe(file('missing.mp3')), /No such file/);
    await expectBadInput(probe(file('cut-tone.mp3')), /truncated/);
    await expectBadInput(probe(file('cut-tone.webm')), /truncated or damaged/);
    await expectBadInput(probe(file('cut-video.mp4')), /moov atom not found/);
  });
});

describe('waveform', () => {
  it('has 255 peaks in [0, 1] with a maximum of 1 and the shape of the audio', async () => {
    const { data, durationSeconds } = await computeWaveform(file('shape.wav'));
    expect(data).toHaveLength(255);
    expect(durationSeconds).toBeCloseTo(4, 2);
    expect(Math.max(...data)).toBe(1);
    expect(data.every((v) => v >= 0 && v <= 1 && Math.round(v * 100) === v * 100)).toBe(true);
    // Buckets are 4/255 s wide: first quarter quiet (0.25), second loud (1), second half silent.
    expect(data[10]).toBeCloseTo(0.25, 1);
    expect(data[100]).toBe(1);
    expect(data.slice(130).every((v) => v === 0)).toBe(true);
  });

  it('works from a stream when the duration is given', async () => {
    const { data } = await computeWaveform(createReadStream(file('tone.mp3')), { durationSeconds: 4 });
    expect(data).toHaveLength(255);
    expect(Math.max(...data)).toBe(1);
    expect(Math.min(...data.slice(5, 250))).toBeGreaterThan(0.9);
  });

  it('assigns samples to buckets independently of block sizes', () => {
    const pcm = new Float32Array(SAMPLE_RATE);
    for (let i = 0; i < pcm.length; i++) pcm[i] = (i % 1000) / 1000 * (i < pcm.length / 2 ? 0.5 : 1);
    const whole = new WaveformAccumulator(1, 10);
    whole.push(pcm);
    const pieces = new WaveformAccumulator(1, 10);
    for (let at = 0; at < pcm.length; at += 777) pieces.push(pcm.subarray(at, at + 777));
    expect(pieces.result()).toEqual(whole.result());
    expect(whole.result()).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1]);
  });

  it('is all zeros for silence', () => {
    const acc = new WaveformAccumulator(1);
    acc.push(new Float32Array(SAMPLE_RATE));
    expect(acc.result().every((v) => v === 0)).toBe(true);
  });
});

describe('encoding', () => {
  it('encodes a file and a stream to mp3', async () => {
    await encodeMp3(file('video.mp4'), file('from-path.mp3'));
    await encodeMp3(createReadStream(file('tone.webm')), file('from-stream.mp3'), { bitrateKbps: 64, mono: true });
    for (const name of ['from-path.mp3', 'from-stream.mp3']) {
      const info = await probe(file(name));
      expect(info, name).toMatchObject({ format: 'mp3', audioCodec: 'mp3', hasVideo: false });
      expect(info.durationSeconds, name).toBeCloseTo(4, 0);
    }
  });

  it('leaves no output behind when the input is not media', async () => {
    await expectBadInput(encodeMp3(file('notes.txt'), file('notes.mp3')), /mp3 encoding/);
    await expect(stat(file('notes.mp3'))).rejects.toThrow();
    await expect(stat(file('notes.mp3.part'))).rejects.toThrow();
  });

  it('writes the mp3, the 16 kHz PCM and the waveform from one decode', async () => {
    const { waveform } = await transcodeAudio(file('shape.wav'), { mp3: { path: file('shape.mp3') }, pcmWav: file('shape-16k.wav'), waveform: { durationSeconds: 4 } });
    expect(waveform!.data).toEqual((await computeWaveform(file('shape.wav'))).data);
    expect(waveform!.durationSeconds).toBeCloseTo(4, 2);
    expect(await probe(file('shape.mp3'))).toMatchObject({ format: 'mp3', audioCodec: 'mp3' });
    // The PCM holds what a decode of the original gives, so engines read the same samples either way.
    const viaFfmpeg: number[] = [];
    for await (const block of decodePcm(createReadStream(file('shape.wav')))) viaFfmpeg.push(...block);
    const direct: number[] = [];
    for await (const block of decodePcm(file('shape-16k.wav'))) direct.push(...block);
    expect(direct).toHaveLength(viaFfmpeg.length);
    expect(Math.max(...direct.map((v, i) => Math.abs(v - viaFfmpeg[i])))).toBeLessThan(1e-4);
    const cut: number[] = [];
    for await (const block of decodePcm(file('shape-16k.wav'), { startSeconds: 1, durationSeconds: 0.5, blockSamples: 3000 })) cut.push(...block);
    expect(cut).toEqual(direct.slice(SAMPLE_RATE, SAMPLE_RATE * 1.5));
  });

  it('stops a direct PCM read when aborted', async () => {
    await writeWav(file('abort.wav'), new Float32Array(SAMPLE_RATE * 5));
    const controller = new AbortController();
    const read = async () => {
      let blocks = 0;
      for await (const _ of decodePcm(file('abort.wav'), { signal: controller.signal })) if (++blocks === 2) controller.abort();
      return blocks;
    };
    await expect(read()).rejects.toThrow(/decode aborted/);
  });

  it('leaves none of the outputs behind when the input is not media', async () => {
    await expectBadInput(transcodeAudio(file('notes.txt'), { mp3: { path: file('n.mp3') }, pcmWav: file('n.wav'), waveform: { durationSeconds: 1 } }), /mp3 encoding/);
    for (const name of ['n.mp3', 'n.mp3.part', 'n.wav', 'n.wav.part']) await expect(stat(file(name))).rejects.toThrow();
  });

  it('writes a 16-bit WAV that decodes back to the same samples', async () => {
    const pcm = Float32Array.from({ length: 70_000 }, (_, i) => Math.sin(i / 10) * 0.8);
    await writeWav(file('round.wav'), pcm);
    const back: number[] = [];
    for await (const block of decodePcm(file('round.wav'))) back.push(...block);
    expect(back).toHaveLength(pcm.length);
    expect(Math.max(...back.map((v, i) => Math.abs(v - pcm[i])))).toBeLessThan(1e-3);
  });
});

describe('PcmWindow', () => {
  it('cuts clips across blocks and forgets old blocks', () => {
    const w = new PcmWindow();
    for (let b = 0; b < 5; b++) w.push(Float32Array.from({ length: SAMPLE_RATE }, () => b));
    const clip = w.slice(1.5, 2.5);
    expect(clip).toHaveLength(SAMPLE_RATE);
    expect(clip[0]).toBe(1);
    expect(clip[clip.length - 1]).toBe(2);
    w.dropBefore(3.2);
    expect(w.heldSeconds).toBe(2);
    expect(w.slice(0, 4)).toHaveLength(SAMPLE_RATE); // only what is still held
    expect(w.endSeconds).toBe(5);
  });
});
