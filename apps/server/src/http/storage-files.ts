// Serves local-storage objects to other services (model service, webhooks) through the signed,
// expiring URLs that LocalStorage.url() makes: the S3 presigned-URL equivalent for local files.
// Not part of the public API, so hidden from the OpenAPI document.
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.ts';
import { LocalStorage, verifyKeySignature } from '../storage/local.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.webm': 'audio/webm',
  '.m4a': 'audio/mp4',
  '.mp4': 'video/mp4',
  '.flac': 'audio/flac',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.vtt': 'text/vtt; charset=utf-8',
};

/**
 * Parses a single-range `Range` header against an object of `size` bytes (RFC 9110 §14.1.2).
 * Returns undefined when the whole object should be sent (no header, several ranges or another unit),
 * null when the range cannot be satisfied.
 */
export function parseByteRange(header: string | undefined, size: number): { start: number; end: number } | null | undefined {
  if (!header) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return /^\s*bytes\s*=/i.test(header) && !header.includes(',') ? null : undefined;
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  let start: number;
  let end: number;
  if (a === '') {
    // Suffix range: the last b bytes.
    const n = Number(b);
    if (n === 0) return null;
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || start > end) return null;
  return { start, end };
}

export const storageFileRoutes: FastifyPluginAsync = async (app) => {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const storage = app.ctx.storage;
    if (!(storage instanceof LocalStorage)) throw new HttpError(404, 'Not Found');
    const key = (request.params as Record<string, string>)['*'] ?? '';
    const query = request.query as Record<string, string | undefined>;
    const expires = Number(query.expires);
    const signature = query.signature ?? '';
    if (!key || !signature || !verifyKeySignature(app.ctx.config.SECRET_KEY, key, expires, signature)) {
      throw new HttpError(403, 'Invalid or expired signature');
    }
    let info;
    try {
      info = await storage.stat(key);
    } catch {
      info = null; // a key that escapes the storage root
    }
    if (!info) throw new HttpError(404, 'File not found');

    const size = info.size;
    const type = CONTENT_TYPES[path.extname(key).toLowerCase()] ?? 'application/octet-stream';
    reply.header('accept-ranges', 'bytes').header('content-type', type).header('cache-control', 'private, no-store');
    const range = parseByteRange(request.headers.range, size);
    if (range === null) {
      throw new HttpError(416, 'Requested range not satisfiable', { 'content-range': `bytes */${size}` });
    }
    if (range) {
      reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
      reply.header('content-length', String(range.end - range.start + 1));
    } else {
      reply.header('content-length', String(size));
    }
    if (request.method === 'HEAD') return reply.send();
    return reply.send(await storage.get(key, range ?? undefined));
  };
  app.route({ method: ['GET', 'HEAD'], url: '/v1/storage/*', schema: { hide: true }, exposeHeadRoute: false, handler });
};
