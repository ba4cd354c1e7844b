// Writing audio: the mp3 kept for playback, the 16 kHz PCM the engines read, the waveform and the speech regions,
// all from one decode; and 16-bit WAV clips for engines that read files.
import { open, rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { SAMPLE_RATE, SpeechError, type SpeechRegion } from '../types.ts';
import { VoiceActivityDetector, type VadOptions } from '../vad.ts';
import { pcmBlocks, spawnFfmpeg, waitExit } from './ffmpeg.ts';
import { WaveformAccumulator, type Waveform } from './waveform.ts';

export interface AudioOutputs {
  /** The mp3 kept for playback. */
  mp3?: { path: string; bitrateKbps?: number; mono?: boolean };
  /** 16 kHz mono 16-bit WAV, the form every local engine reads without another decode (see decodePcm). */
  pcmWav?: string;
  /** The player's waveform, from 16 kHz mono samples on a pipe; needs the duration to size its buckets. */
  waveform?: { durationSeconds: number; buckets?: number };
  /** Speech regions found by the VAD on the same samples, so that recognition and diarization need not run it. */
  speech?: VadOptions;
}

export interface TranscodeResult {
  waveform: Waveform | null;
  speechRegions: SpeechRegion[] | null;
  /** Time spent inside the VAD, seconds. */
  vadSeconds: number;
}

/**
 * Decodes any media ffmpeg reads (a path, or a stream piped through ffmpeg's stdin) once and writes every
 * requested output from that one decode. Files appear only when the whole run succeeded, so a reader
 * never sees half a file.
 */
export async function transcodeAudio(input: string | Readable, outputs: AudioOutputs, opts: { signal?: AbortSignal } = {}): Promise<TranscodeResult> {
  const files = [outputs.mp3?.path, outputs.pcmWav].filter((f): f is string => !!f);
  const samples = !!(outputs.waveform || outputs.speech);
  if (!files.length && !samples) throw new TypeError('transcodeAudio: no output requested');
  const vad = outputs.speech ? await VoiceActivityDetector.create(outputs.speech) : null;
  const args = ['-y', '-i', typeof input === 'string' ? input : 'pipe:0'];
  const plain = ['-vn', '-sn', '-dn', '-map_metadata', '-1'];
  if (outputs.mp3) {
    args.push(...plain);
    if (outputs.mp3.mono) args.push('-ac', '1');
    // LAME's quality 7 skips its slowest noise-shaping searches: about 40 % less CPU than its default, which
    // matters on multi-hour recordings and not audibly for speech at this bitrate.
    args.push('-c:a', 'libmp3lame', '-b:a', `${outputs.mp3.bitrateKbps ?? 128}k`, '-compression_level', '7', '-f', 'mp3', `${outputs.mp3.path}.part`);
  }
  if (outputs.pcmWav) args.push(...plain, '-ac', '1', '-ar', String(SAMPLE_RATE), '-c:a', 'pcm_s16le', '-f', 'wav', `${outputs.pcmWav}.part`);
  if (samples) args.push('-vn', '-sn', '-dn', '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 'f32le', 'pipe:1');
  const child = spawnFfmpeg(args);
  const exited = waitExit(child, outputs.mp3 ? 'mp3 encoding' : 'decode');
  exited.catch(() => {}); // awaited below, after the samples are read
  if (typeof input === 'string') child.stdin.end();
  else {
    child.stdin.on('error', () => {}); // ffmpeg exits on bad input; its own message explains why
    input.once('error', () => child.kill('SIGKILL'));
    input.pipe(child.stdin);
  }
  const onAbort = () => child.kill('SIGKILL');
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const peaks = outputs.waveform ? new WaveformAccumulator(outputs.waveform.durationSeconds, outputs.waveform.buckets) : null;
    const regions: SpeechRegion[] = [];
    let vadMs = 0;
    if (samples) {
      for await (const block of pcmBlocks(child.stdout)) {
        peaks?.push(block);
        if (!vad) continue;
        const t0 = performance.now();
        regions.push(...vad.push(block));
        vadMs += performance.now() - t0;
      }
    }
    await exited;
    if (vad) regions.push(...vad.flush());
    for (const file of files) await rename(`${file}.part`, file);
    return {
      waveform: peaks ? { data: peaks.result(), durationSeconds: peaks.durationSeconds } : null,
      speechRegions: vad ? regions : null,
      vadSeconds: vadMs / 1000,
    };
  } catch (err) {
    if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(files.map((file) => rm(`${file}.part`, { force: true })));
    if (opts.signal?.aborted) throw new SpeechError(`${outputs.mp3 ? 'mp3 encoding' : 'decode'} aborted`, 'engine');
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** Re-encodes any media ffmpeg reads (a path, or a stream piped through ffmpeg's stdin) to an mp3 file. */
export async function encodeMp3(
  input: string | Readable,
  outputPath: string,
  opts: { bitrateKbps?: number; mono?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  await transcodeAudio(input, { mp3: { path: outputPath, bitrateKbps: opts.bitrateKbps, mono: opts.mono } }, { signal: opts.signal });
}

/** Writes float samples in [-1, 1] as a 16-bit PCM mono WAV file (the format pocketsphinx and most tools read). */
export async function writeWav(path: string, pcm: Float32Array, sampleRate = SAMPLE_RATE): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.write(wavHeader(pcm.length, sampleRate));
    // Convert in slices so a long clip does not need a second full-size buffer.
    const slice = 64 * 1024;
    const out = Buffer.alloc(slice * 2);
    for (let at = 0; at < pcm.length; at += slice) {
      const n = Math.min(slice, pcm.length - at);
      for (let i = 0; i < n; i++) {
        const v = Math.max(-1, Math.min(1, pcm[at + i]));
        out.writeInt16LE(Math.round(v < 0 ? v * 0x8000 : v * 0x7fff), i * 2);
      }
      await file.write(out, 0, n * 2);
    }
  } finally {
    await file.close();
  }
}

export function wavHeader(samples: number, sampleRate = SAMPLE_RATE): Buffer {
  const dataBytes = samples * 2;
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}
