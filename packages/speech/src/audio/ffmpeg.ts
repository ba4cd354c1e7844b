// Thin wrappers around the system ffmpeg/ffprobe binaries. Every media operation goes through a pipe so
// that memory stays flat whatever the length of the recording.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { SAMPLE_RATE, SpeechError } from '../types.ts';

export const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
export const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';

/** Spawns ffmpeg; stderr is kept (last 4 kB) for the error message. */
export function spawnFfmpeg(args: string[]): ChildProcessWithoutNullStreams & { stderrTail: () => string } {
  const child = spawn(FFMPEG, ['-nostdin', '-hide_banner', '-loglevel', 'error', ...args], { stdio: 'pipe' });
  let tail = '';
  child.stderr.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4096);
  });
  child.on('error', () => {}); // reported through the exit promise
  return Object.assign(child, { stderrTail: () => tail.trim() });
}

/** Waits for a child to exit; rejects with ffmpeg's own message on failure. */
export function waitExit(child: ChildProcessWithoutNullStreams & { stderrTail: () => string }, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('error', (err) =>
      reject(new SpeechError(`${what}: cannot run ffmpeg (${(err as Error).message}); install it with apt-get install ffmpeg`, 'unavailable')),
    );
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new SpeechError(`${what}: ${child.stderrTail() || `ffmpeg exited with ${code ?? signal}`}`, 'bad_input'));
    });
  });
}

/**
 * Decodes any container ffmpeg reads to 16 kHz mono float32 samples, yielded in blocks.
 * `input` is a path, or a readable stream piped into ffmpeg's stdin. A file that already is 16 kHz mono
 * 16-bit WAV (what the file pipeline prepares for its engines) is read directly, without an ffmpeg child.
 */
export async function* decodePcm(
  input: string | Readable,
  opts: { blockSamples?: number; startSeconds?: number; durationSeconds?: number; signal?: AbortSignal } = {},
): AsyncGenerator<Float32Array> {
  const blockBytes = (opts.blockSamples ?? SAMPLE_RATE) * 4;
  const wav = typeof input === 'string' ? await pcmWavData(input) : null;
  if (wav) {
    yield* readPcmWav(input as string, wav, opts);
    return;
  }
  const args: string[] = [];
  if (opts.startSeconds) args.push('-ss', String(opts.startSeconds));
  args.push('-i', typeof input === 'string' ? input : 'pipe:0');
  if (opts.durationSeconds !== undefined) args.push('-t', String(opts.durationSeconds));
  args.push('-vn', '-sn', '-dn', '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 'f32le', 'pipe:1');
  const child = spawnFfmpeg(args);
  const exited = waitExit(child, 'decode');
  exited.catch(() => {});
  if (typeof input !== 'string') {
    input.on('error', () => child.kill('SIGKILL'));
    child.stdin.on('error', () => {}); // ffmpeg may stop reading early (e.g. -t)
    input.pipe(child.stdin);
  } else {
    child.stdin.end();
  }
  const onAbort = () => child.kill('SIGKILL');
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    yield* pcmBlocks(child.stdout, blockBytes);
    try {
      await exited;
    } catch (err) {
      // A kill on abort makes ffmpeg exit with an error; report the abort, not a broken file.
      if (opts.signal?.aborted) throw new SpeechError('decode aborted', 'engine');
      throw err;
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** Cuts a stream of raw float32 samples (ffmpeg's `-f f32le`) into blocks of `blockBytes`; the last one may be shorter. */
export async function* pcmBlocks(stream: AsyncIterable<Buffer>, blockBytes = SAMPLE_RATE * 4): AsyncGenerator<Float32Array> {
  for await (const block of byteBlocks(stream, blockBytes, 4)) yield toFloat32(block);
}

/** Regroups a byte stream into blocks of `blockBytes`; the last one is shorter, cut to whole samples. */
async function* byteBlocks(stream: AsyncIterable<Buffer>, blockBytes: number, sampleBytes: number): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of stream) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= blockBytes) {
      yield pending.subarray(0, blockBytes);
      pending = pending.subarray(blockBytes);
    }
  }
  const usable = pending.length - (pending.length % sampleBytes);
  if (usable > 0) yield pending.subarray(0, usable);
}

function toFloat32(buf: Buffer): Float32Array {
  // Copy into an aligned buffer: Node's pooled Buffers are not 4-byte aligned.
  const out = new Float32Array(buf.length / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** Where the samples of a 16 kHz mono 16-bit PCM WAV file lie, or null for any other file. */
async function pcmWavData(path: string): Promise<{ offset: number; bytes: number } | null> {
  const file = await open(path, 'r').catch(() => null);
  if (!file) return null; // ffmpeg reports the missing file in its own words
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    if (bytesRead < 44 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') return null;
    let pcm16Mono = false;
    for (let at = 12; at + 8 <= bytesRead; ) {
      const id = head.toString('latin1', at, at + 4);
      const size = head.readUInt32LE(at + 4);
      if (id === 'fmt ') {
        if (at + 24 > bytesRead) return null;
        // format 1 = integer PCM; anything else (float, extensible, compressed) goes through ffmpeg
        pcm16Mono = head.readUInt16LE(at + 8) === 1 && head.readUInt16LE(at + 10) === 1 && head.readUInt32LE(at + 12) === SAMPLE_RATE && head.readUInt16LE(at + 22) === 16;
        if (!pcm16Mono) return null;
      } else if (id === 'data') {
        if (!pcm16Mono) return null;
        const offset = at + 8;
        const available = (await file.stat()).size - offset;
        // A header written while streaming has no final size (0 or 0xffffffff): the data runs to the end.
        const bytes = size > 0 && size < 0xffffffff ? Math.min(size, available) : available;
        return { offset, bytes: bytes - (bytes % 2) };
      }
      at += 8 + size + (size % 2);
    }
    return null;
  } finally {
    await file.close();
  }
}

async function* readPcmWav(
  path: string,
  data: { offset: number; bytes: number },
  opts: { blockSamples?: number; startSeconds?: number; durationSeconds?: number; signal?: AbortSignal },
): AsyncGenerator<Float32Array> {
  const first = Math.min(data.bytes, 2 * Math.round((opts.startSeconds ?? 0) * SAMPLE_RATE));
  const last = opts.durationSeconds === undefined ? data.bytes : Math.min(data.bytes, first + 2 * Math.round(opts.durationSeconds * SAMPLE_RATE));
  if (opts.signal?.aborted) throw new SpeechError('decode aborted', 'engine');
  if (last <= first) return;
  const blockBytes = (opts.blockSamples ?? SAMPLE_RATE) * 2;
  const stream = createReadStream(path, { start: data.offset + first, end: data.offset + last - 1, highWaterMark: blockBytes, signal: opts.signal });
  try {
    for await (const block of byteBlocks(stream, blockBytes, 2)) yield fromInt16(block);
  } catch (err) {
    if (opts.signal?.aborted) throw new SpeechError('decode aborted', 'engine');
    throw new SpeechError(`decode: ${(err as Error).message}`, 'bad_input');
  } finally {
    stream.destroy();
  }
}

/** 16-bit samples to floats the way ffmpeg converts them (divided by 32768). */
function fromInt16(buf: Buffer): Float32Array {
  // Copy into an aligned buffer first: Node's pooled Buffers are not 2-byte aligned.
  const samples = new Int16Array(buf.length / 2);
  new Uint8Array(samples.buffer).set(buf);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] / 32768;
  return out;
}
