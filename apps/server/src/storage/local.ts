// Local-file storage under DATA_DIR/storage. URLs for other services point back at this server and
// carry an HMAC signature with an expiry (see http/storage-files.ts).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageNotFound, type ByteRange, type Storage, type StoredObject } from './index.ts';

export class LocalStorage implements Storage {
  readonly kind = 'local' as const;
  readonly root: string;

  constructor(
    dataDir: string,
    private readonly baseUrl: string,
    private readonly secret: string,
  ) {
    this.root = path.join(dataDir, 'storage');
  }

  /** Absolute path of a key; refuses keys that would escape the storage root. */
  pathOf(key: string): string {
    const p = path.resolve(this.root, key);
    if (!p.startsWith(this.root + path.sep)) throw new Error(`invalid storage key: ${key}`);
    return p;
  }

  async put(key: string, body: Readable | Buffer): Promise<void> {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.partial-${process.pid}-${Date.now()}`;
    try {
      if (Buffer.isBuffer(body)) {
        const out = createWriteStream(partial);
        await new Promise<void>((resolve, reject) => out.end(body, () => resolve()).on('error', reject));
      } else {
        await pipeline(body, createWriteStream(partial));
      }
      await rename(partial, file);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.pathOf(key);
    if (!(await this.stat(key))) throw new StorageNotFound(key);
    return createReadStream(file, range ? { start: range.start, end: range.end } : {});
  }

  async stat(key: string): Promise<StoredObject | null> {
    try {
      const s = await stat(this.pathOf(key));
      return s.isFile() ? { size: s.size } : null;
    } catch {
      return null;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    const dir = this.pathOf(prefix.replace(/\/+$/, ''));
    const s = await stat(dir).catch(() => null);
    if (s?.isDirectory()) await rm(dir, { recursive: true, force: true });
    else if (s) await rm(dir, { force: true });
    else {
      // A plain prefix such as "abc/audio": remove matching files in its directory.
      const parent = path.dirname(dir);
      const base = path.basename(dir);
      for (const name of await readdir(parent).catch(() => [] as string[])) {
        if (name.startsWith(base)) await rm(path.join(parent, name), { recursive: true, force: true });
      }
    }
  }

  async url(key: string, expiresSeconds = 3600): Promise<string> {
    const expires = Math.floor(Date.now() / 1000) + expiresSeconds;
    const sig = signKey(this.secret, key, expires);
    return `${this.baseUrl.replace(/\/+$/, '')}/v1/storage/${key.split('/').map(encodeURIComponent).join('/')}?expires=${expires}&signature=${sig}`;
  }
}

export function signKey(secret: string, key: string, expires: number): string {
  return createHmac('sha256', secret).update(`${key}\n${expires}`).digest('hex');
}

export function verifyKeySignature(secret: string, key: string, expires: number, signature: string): boolean {
  if (!Number.isFinite(expires) || expires < Date.now() / 1000) return false;
  const expected = Buffer.from(signKey(secret, key, expires));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
