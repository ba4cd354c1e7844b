// Thin wrappers around the system ffmpeg/ffprobe binaries. Every media operation goes through a pipe so
// that memory stays flat whatever the length of the recording.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
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
 * `input` is a path, or a readable stream piped into ffmpeg's stdin.
 */
export async function* decodePcm(
  input: string | Readable,
  opts: { blockSamples?: number; startSeconds?: number; durationSeconds?: number; signal?: AbortSignal } = {},
): AsyncGenerator<Float32Array> {
  const blockBytes = (opts.blockSamples ?? SAMPLE_RATE) * 4;
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
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= blockBytes) {
        yield toFloat32(pending.subarray(0, blockBytes));
        pending = pending.subarray(blockBytes);
      }
    }
    try {
      await exited;
    } catch (err) {
      // A kill on abort makes ffmpeg exit with an error; report the abort, not a broken file.
      if (opts.signal?.aborted) throw new SpeechError('decode aborted', 'engine');
      throw err;
    }
    const usable = pending.length - (pending.length % 4);
    if (usable > 0) yield toFloat32(pending.subarray(0, usable));
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

function toFloat32(buf: Buffer): Float32Array {
  // Copy into an aligned buffer: Node's pooled Buffers are not 4-byte aligned.
  const out = new Float32Array(buf.length / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}
