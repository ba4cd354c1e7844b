// Writing audio: the mp3 kept for playback, and 16-bit WAV clips for engines that read files.
import { open, rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { SAMPLE_RATE, SpeechError } from '../types.ts';
import { spawnFfmpeg, waitExit } from './ffmpeg.ts';

/**
 * Re-encodes any media ffmpeg reads (a path, or a stream piped through ffmpeg's stdin) to an mp3 file.
 * The output appears only when encoding succeeded, so a reader never sees half a file.
 */
export async function encodeMp3(
  input: string | Readable,
  outputPath: string,
  opts: { bitrateKbps?: number; mono?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  const partial = `${outputPath}.part`;
  const args = ['-y', '-i', typeof input === 'string' ? input : 'pipe:0', '-vn', '-sn', '-dn', '-map_metadata', '-1'];
  if (opts.mono) args.push('-ac', '1');
  args.push('-c:a', 'libmp3lame', '-b:a', `${opts.bitrateKbps ?? 128}k`, '-f', 'mp3', partial);
  const child = spawnFfmpeg(args);
  const exited = waitExit(child, 'mp3 encoding');
  if (typeof input === 'string') child.stdin.end();
  else {
    child.stdin.on('error', () => {}); // ffmpeg exits on bad input; its own message explains why
    input.once('error', () => child.kill('SIGKILL'));
    input.pipe(child.stdin);
  }
  const onAbort = () => child.kill('SIGKILL');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await exited;
    await rename(partial, outputPath);
  } catch (err) {
    await rm(partial, { force: true });
    if (opts.signal?.aborted) throw new SpeechError('mp3 encoding aborted', 'engine');
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
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
