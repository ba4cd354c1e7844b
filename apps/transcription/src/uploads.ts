// Multipart uploads go straight from the socket to temporary files; nothing holds a whole recording in memory.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join, extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors.ts';

/** What the reference accepts, plus common containers ffmpeg reads just as well. */
export const ALLOWED_EXTENSIONS = ['mp3', 'mp4', 'mpeg', 'mpga', 'm4a', 'wav', 'webm', 'ogg', 'oga', 'opus', 'flac', 'mkv', 'mov'] as const;

export interface UploadedFile {
  field: string;
  filename: string;
  path: string;
  bytes: number;
}

export interface ParsedUpload {
  files: UploadedFile[];
  fields: Record<string, string>;
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${+(n / 1024 ** 3).toFixed(2)} GB`;
  if (n >= 1024 ** 2) return `${+(n / 1024 ** 2).toFixed(2)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} kB`;
  return `${n} bytes`;
}

export function tooLarge(limit: number): HttpError {
  return new HttpError(413, `upload too large: the limit is ${formatBytes(limit)} per file (set MAX_UPLOAD_SIZE to change it)`);
}

/** A fresh directory for one request's files; the caller removes it in `finally`. */
export async function requestTempDir(base: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(base, 'reflector-transcription-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function checkExtension(filename: string): string {
  const ext = extname(filename).slice(1).toLowerCase();
  if (!(ALLOWED_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new HttpError(
      400,
      `unsupported file type${ext ? ` ".${ext}"` : ' (the file name has no extension)'} for "${filename}": use one of ${ALLOWED_EXTENSIONS.join(', ')}`,
    );
  }
  return ext;
}

/**
 * Reads every part of a multipart request. File parts named in `fileFields` are written to `dir`; others are
 * rejected. Extensions are checked before a byte is stored.
 */
export async function readMultipart(
  req: FastifyRequest,
  dir: string,
  opts: { fileFields: readonly string[]; maxFileBytes: number },
): Promise<ParsedUpload> {
  const files: UploadedFile[] = [];
  const fields: Record<string, string> = {};
  const declared = Number(req.headers['content-length']);
  // A request that announces more than every allowed file could hold is refused before it is read.
  if (Number.isFinite(declared) && declared > opts.maxFileBytes * 32 + 1024 * 1024) throw tooLarge(opts.maxFileBytes);
  try {
    for await (const part of req.parts()) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value ?? '');
        continue;
      }
      if (!opts.fileFields.includes(part.fieldname)) {
        part.file.resume();
        throw new HttpError(400, `unexpected file field "${part.fieldname}": send the audio as ${opts.fileFields.map((f) => `"${f}"`).join(' or ')}`);
      }
      const filename = part.filename || 'upload';
      let ext: string;
      try {
        ext = checkExtension(filename);
      } catch (err) {
        part.file.resume();
        throw err;
      }
      const path = join(dir, `${files.length}.${ext}`);
      let bytes = 0;
      part.file.on('data', (chunk: Buffer) => (bytes += chunk.length));
      await pipeline(part.file, createWriteStream(path));
      if (part.file.truncated) throw tooLarge(opts.maxFileBytes);
      files.push({ field: part.fieldname, filename, path, bytes });
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(opts.maxFileBytes);
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') throw new HttpError(400, 'send the audio as multipart/form-data with a "file" field');
    if (code === 'FST_FILES_LIMIT') throw new HttpError(413, (err as Error).message);
    throw err;
  }
  return { files, fields };
}
