// Media files made at test time with the system ffmpeg, and a client for the chunked upload endpoint.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { api } from '../api/harness.ts';

const run = promisify(execFile);

async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

export interface TestMedia {
  /** 5 s of 440 Hz sine, mp3. */
  mp3: string;
  /** 3 s video with a sine audio track, mp4. */
  videoWithAudio: string;
  /** 2 s video and no audio track, mp4. */
  videoWithoutAudio: string;
  text: string;
  /** The first 40 % of `mp3`. */
  truncatedMp3: string;
  empty: string;
}

export async function makeTestMedia(dir: string): Promise<TestMedia> {
  const m: TestMedia = {
    mp3: path.join(dir, 'tone.mp3'),
    videoWithAudio: path.join(dir, 'with-audio.mp4'),
    videoWithoutAudio: path.join(dir, 'no-audio.mp4'),
    text: path.join(dir, 'notes.txt'),
    truncatedMp3: path.join(dir, 'truncated.mp3'),
    empty: path.join(dir, 'empty.mp3'),
  };
  await Promise.all([
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=5', m.mp3]),
    ffmpeg([
      '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=3',
      '-f', 'lavfi', '-i', 'sine=frequency=660:duration=3',
      '-c:v', 'mpeg4', '-c:a', 'aac', '-shortest', m.videoWithAudio,
    ]),
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=2', '-c:v', 'mpeg4', '-an', m.videoWithoutAudio]),
    writeFile(m.text, 'These are meeting notes, not a recording.\n'.repeat(50)),
    writeFile(m.empty, Buffer.alloc(0)),
  ]);
  const whole = await readFile(m.mp3);
  await writeFile(m.truncatedMp3, whole.subarray(0, Math.floor(whole.length * 0.4)));
  return m;
}

/** Sends a file in `chunkSize` pieces, in order; returns every response. */
export async function uploadInChunks(base: string, id: string, file: string | Buffer, chunkSize = 1 << 20, filename?: string) {
  const data = typeof file === 'string' ? await readFile(file) : file;
  const name = filename ?? (typeof file === 'string' ? path.basename(file) : 'blob');
  const total = Math.max(1, Math.ceil(data.length / chunkSize));
  const responses: Awaited<ReturnType<typeof api>>[] = [];
  for (let n = 0; n < total; n++) {
    responses.push(await uploadChunk(base, id, n, total, data.subarray(n * chunkSize, (n + 1) * chunkSize), name));
  }
  return responses;
}

export async function uploadChunk(base: string, id: string, n: number, total: number, bytes: Buffer, filename = 'blob', field = 'chunk') {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(bytes)]), filename);
  const res = await fetch(`${base}/v1/transcripts/${id}/record/upload?chunk_number=${n}&total_chunks=${total}`, { method: 'POST', body: form });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, text, headers: res.headers };
}
