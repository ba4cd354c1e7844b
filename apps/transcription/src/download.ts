// Fetches a recording by URL into a temporary file, streaming, with the same size limit as uploads.
import { createWriteStream } from 'node:fs';
import { extname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpError } from './errors.ts';
import { ALLOWED_EXTENSIONS, formatBytes } from './uploads.ts';

const TYPE_EXTENSIONS: Record<string, string> = {
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/mp4': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/webm': 'webm',
  'video/webm': 'webm',
  'audio/ogg': 'ogg',
  'audio/flac': 'flac',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/x-matroska': 'mkv',
};

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HttpError(400, `audio_file_url is not a valid URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HttpError(400, `audio_file_url must be http(s), got ${url.protocol}`);
  return url;
}

function fetchError(url: URL, err: unknown): HttpError {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return new HttpError(504, `downloading ${url.origin}${url.pathname} timed out`);
  return new HttpError(400, `cannot download ${url.origin}${url.pathname}: ${e.cause?.code ?? e.cause?.message ?? e.message}`);
}

/**
 * HEAD first so that a missing recording answers 404 without opening a download (presigned S3 URLs refuse
 * HEAD with 403; anything but 404 falls through to the GET).
 */
export async function downloadToFile(raw: string, dir: string, opts: { maxBytes: number; timeoutMs: number }): Promise<{ path: string; bytes: number }> {
  const url = parseUrl(raw);
  const where = `${url.origin}${url.pathname}`;
  try {
    const head = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(Math.min(opts.timeoutMs, 30_000)) });
    if (head.status === 404) throw new HttpError(404, `audio file not found: ${where} answered 404`);
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw fetchError(url, err);
  }
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs) });
  } catch (err) {
    throw fetchError(url, err);
  }
  if (res.status === 404) throw new HttpError(404, `audio file not found: ${where} answered 404`);
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new HttpError(400, `cannot download ${where}: HTTP ${res.status} ${res.statusText}`);
  }
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > opts.maxBytes) {
    await res.body.cancel();
    throw new HttpError(413, `${where} is ${formatBytes(declared)}, over the limit of ${formatBytes(opts.maxBytes)} (set MAX_UPLOAD_SIZE to change it)`);
  }
  const path = join(dir, `download.${extensionFor(url, res.headers.get('content-type'))}`);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes > opts.maxBytes) cb(new HttpError(413, `${where} is larger than the limit of ${formatBytes(opts.maxBytes)} (set MAX_UPLOAD_SIZE to change it)`));
      else cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), counter, createWriteStream(path));
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw fetchError(url, err);
  }
  return { path, bytes };
}

/** The extension only helps ffmpeg guess faster; it probes the content either way. */
function extensionFor(url: URL, contentType: string | null): string {
  const fromPath = extname(url.pathname).slice(1).toLowerCase();
  if ((ALLOWED_EXTENSIONS as readonly string[]).includes(fromPath)) return fromPath;
  const type = contentType?.split(';')[0].trim().toLowerCase();
  return (type && TYPE_EXTENSIONS[type]) || 'bin';
}
