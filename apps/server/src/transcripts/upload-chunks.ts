// Chunked uploads on the receiving server: each chunk is streamed to its own file, and the last one
// triggers a streaming concatenation into one file. Nothing here holds a chunk in memory.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const chunkPath = (dir: string, n: number) => path.join(dir, `chunk_${n}`);

/** Writes a chunk stream to `chunk_<n>`; the file appears only once it is complete. */
export async function saveChunk(dir: string, n: number, body: Readable): Promise<number> {
  await mkdir(dir, { recursive: true });
  const target = chunkPath(dir, n);
  const partial = `${target}.${randomBytes(4).toString('hex')}.partial`;
  try {
    await pipeline(body, createWriteStream(partial));
    const { size } = await stat(partial);
    await rename(partial, target);
    return size;
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}

/** Chunk numbers in 0..total-1 that have not arrived. */
export async function missingChunks(dir: string, total: number): Promise<number[]> {
  const missing: number[] = [];
  for (let n = 0; n < total; n++) {
    const s = await stat(chunkPath(dir, n)).catch(() => null);
    if (!s?.isFile()) missing.push(n);
  }
  return missing;
}

/** Appends chunks 0..total-1 to `target` in order, deleting each part once copied. Returns the size. */
export async function mergeChunks(dir: string, total: number, target: string): Promise<number> {
  async function* parts() {
    for (let n = 0; n < total; n++) {
      yield* createReadStream(chunkPath(dir, n));
      await rm(chunkPath(dir, n), { force: true });
    }
  }
  await pipeline(parts, createWriteStream(target));
  return (await stat(target)).size;
}

/** A file extension safe to use in a storage key. */
export function safeExtension(filename: string | undefined): string | null {
  const dot = filename?.lastIndexOf('.') ?? -1;
  if (!filename || dot < 0) return null;
  const ext = filename.slice(dot + 1).toLowerCase();
  return /^[a-z0-9]{1,8}$/.test(ext) ? ext : null;
}

/** The usual extension for the container ffprobe reports, so stored uploads are named by what they are. */
export function extensionForFormat(format: string): string | null {
  const first = format.split(',')[0];
  const known: Record<string, string> = {
    mp3: 'mp3',
    wav: 'wav',
    flac: 'flac',
    ogg: 'ogg',
    matroska: 'webm',
    mov: 'mp4',
    aac: 'aac',
    amr: 'amr',
    asf: 'wma',
    avi: 'avi',
    mpeg: 'mpg',
    mpegts: 'ts',
    aiff: 'aiff',
    caf: 'caf',
  };
  return known[first] ?? null;
}
