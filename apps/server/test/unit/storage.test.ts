// The same contract for both storage backends: local files (served back through /v1/storage) and S3
// (against a real S3-protocol server, s3rver).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.ts';
import { storageFileRoutes } from '../../src/http/storage-files.ts';
import { StorageNotFound, type Storage } from '../../src/storage/index.ts';
import { LocalStorage } from '../../src/storage/local.ts';
import { S3Storage } from '../../src/storage/s3.ts';
import { startS3Server, type TestS3Server } from '../support/s3.ts';

const SECRET = 'storage-test-secret';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** A stream of `total` bytes that never exists in memory as a whole; byte i is (i % 251). */
function generated(total: number, chunk = 64 * 1024): Readable {
  const pattern = Buffer.alloc(chunk + 251);
  for (let i = 0; i < pattern.length; i++) pattern[i] = i % 251;
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(chunk, total - sent);
      const offset = sent % 251;
      // Views of one shared buffer: the test's own allocations stay out of the measurement.
      this.push(pattern.subarray(offset, offset + n));
      sent += n;
    },
  });
}

/** Peak RSS growth (MB) above the level before `fn` ran, sampled every 20 ms. */
async function peakRssGrowth(fn: () => Promise<void>): Promise<number> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return (peak - base) / 1024 / 1024;
}

interface Backend {
  name: string;
  storage: Storage;
  close(): Promise<void>;
}

let tmp: string;
let s3: TestS3Server;
let server: FastifyInstance;
const ctxHolder: { storage?: Storage; config: { SECRET_KEY: string } } = { config: { SECRET_KEY: SECRET } };
const figures: Record<string, number> = {};

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'reflector-storage-'));
  s3 = await startS3Server(path.join(tmp, 's3'));
  // A server with just the storage route, standing in for the API server that LocalStorage URLs point to.
  server = Fastify();
  server.decorate('ctx', ctxHolder as unknown as AppContext);
  await server.register(storageFileRoutes);
  await server.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server?.close();
  await s3?.close();
  await rm(tmp, { recursive: true, force: true });
  console.log('storage figures (MB of RSS growth for a 200 MB streamed put):', figures);
});

const backends: Array<[string, () => Promise<Backend>]> = [
  [
    'local',
    async () => {
      const address = server.server.address();
      const port = typeof address === 'object' && address && 'port' in address ? address.port : 0;
      const storage = new LocalStorage(path.join(tmp, 'data'), `http://127.0.0.1:${port}`, SECRET);
      ctxHolder.storage = storage;
      return { name: 'local', storage, close: async () => {} };
    },
  ],
  [
    's3',
    async () => {
      // A bucket that does not exist yet: S3Storage creates it at first use.
      const storage = new S3Storage({
        bucket: `fresh-${randomBytes(4).toString('hex')}`,
        region: 'us-east-1',
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
        endpoint: s3.endpoint,
      });
      return { name: 's3', storage, close: () => storage.close() };
    },
  ],
];

describe.each(backends)('%s storage', (name, make) => {
  let backend: Backend;
  let storage: Storage;
  beforeAll(async () => {
    backend = await make();
    storage = backend.storage;
  });
  afterAll(async () => backend?.close());

  it('stores a buffer and a stream, and reads them back whole and by range', async () => {
    await storage.put('t1/hello.txt', Buffer.from('hello storage'), { contentType: 'text/plain' });
    expect((await readAll(await storage.get('t1/hello.txt'))).toString()).toBe('hello storage');

    const size = 3 * 1024 * 1024 + 17;
    await storage.put('t1/data.bin', generated(size));
    expect((await storage.stat('t1/data.bin'))?.size).toBe(size);
    const whole = await readAll(await storage.get('t1/data.bin'));
    expect(whole.length).toBe(size);
    expect(whole[size - 1]).toBe((size - 1) % 251);

    const part = await readAll(await storage.get('t1/data.bin', { start: 1000, end: 1999 }));
    expect(part.length).toBe(1000);
    expect([...part.subarray(0, 3)]).toEqual([1000 % 251, 1001 % 251, 1002 % 251]);
    const tail = await readAll(await storage.get('t1/data.bin', { start: size - 5, end: size - 1 }));
    expect([...tail]).toEqual([0, 1, 2, 3, 4].map((i) => (size - 5 + i) % 251));
  });

  it('overwrites an existing object', async () => {
    await storage.put('t1/over.txt', Buffer.from('first version'));
    await storage.put('t1/over.txt', Readable.from([Buffer.from('second')]));
    expect((await readAll(await storage.get('t1/over.txt'))).toString()).toBe('second');
  });

  it('reports missing objects: stat null, get StorageNotFound, delete is a no-op', async () => {
    expect(await storage.stat('nope/missing.mp3')).toBeNull();
    await expect(storage.get('nope/missing.mp3')).rejects.toBeInstanceOf(StorageNotFound);
    await storage.delete('nope/missing.mp3');
  });

  it('deletes one object and everything under a prefix', async () => {
    await storage.put('t2/a.txt', Buffer.from('a'));
    await storage.put('t2/sub/b.txt', Buffer.from('b'));
    await storage.put('t22/c.txt', Buffer.from('c'));
    await storage.delete('t2/a.txt');
    expect(await storage.stat('t2/a.txt')).toBeNull();
    expect(await storage.stat('t2/sub/b.txt')).not.toBeNull();
    await storage.deletePrefix('t2/');
    expect(await storage.stat('t2/sub/b.txt')).toBeNull();
    expect((await storage.stat('t22/c.txt'))?.size).toBe(1); // a sibling with a longer name is untouched
  });

  it('deletes prefixes with more objects than one S3 listing page (1000)', async () => {
    const keys = Array.from({ length: 1010 }, (_, i) => `many/${String(i).padStart(5, '0')}.txt`);
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((k) => storage.put(k, Buffer.from('x'))));
    }
    await storage.deletePrefix('many/');
    expect(await storage.stat(keys[0])).toBeNull();
    expect(await storage.stat(keys[1009])).toBeNull();
  }, 120_000);

  it('gives a URL that another service can fetch, with ranges', async () => {
    await storage.put('t3/audio file.mp3', Buffer.from('0123456789'));
    const url = await storage.url('t3/audio file.mp3', 60);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('0123456789');
    const ranged = await fetch(url, { headers: { range: 'bytes=2-5' } });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe('2345');
  });

  it('streams a 200 MB put with little memory', async () => {
    const size = 200 * 1024 * 1024;
    const growth = await peakRssGrowth(() => storage.put('big/recording.bin', generated(size), { contentType: 'application/octet-stream' }));
    figures[name] = Math.round(growth * 10) / 10;
    expect((await storage.stat('big/recording.bin'))?.size).toBe(size);
    expect(growth).toBeLessThan(80);
    await storage.delete('big/recording.bin');
    if (name === 'local') {
      // no partial files left behind
      expect((await readdir(path.join(tmp, 'data', 'storage', 'big'))).length).toBe(0);
    }
  }, 120_000);
});

describe('local storage URLs', () => {
  let storage: LocalStorage;
  let base: string;
  beforeAll(async () => {
    const address = server.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    storage = new LocalStorage(path.join(tmp, 'urls'), base, SECRET);
    ctxHolder.storage = storage;
    await storage.put('u1/audio.mp3', Buffer.from('abcdefghij'));
  });

  it('answers HEAD with the size and type, and serves suffix and open ranges', async () => {
    const url = await storage.url('u1/audio.mp3');
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('10');
    expect(head.headers.get('content-type')).toBe('audio/mpeg');
    expect(head.headers.get('accept-ranges')).toBe('bytes');
    const suffix = await fetch(url, { headers: { range: 'bytes=-3' } });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe('bytes 7-9/10');
    expect(await suffix.text()).toBe('hij');
    const open = await fetch(url, { headers: { range: 'bytes=8-' } });
    expect(await open.text()).toBe('ij');
    const past = await fetch(url, { headers: { range: 'bytes=10-20' } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */10');
  });

  it('refuses a wrong, missing or expired signature with 403', async () => {
    const url = new URL(await storage.url('u1/audio.mp3'));
    const tampered = new URL(url);
    tampered.searchParams.set('signature', 'f'.repeat(64));
    expect((await fetch(tampered)).status).toBe(403);
    const other = new URL(url);
    other.pathname = '/v1/storage/u1/other.mp3';
    expect((await fetch(other)).status).toBe(403); // a signature is valid for its key only
    expect((await fetch(`${base}/v1/storage/u1/audio.mp3`)).status).toBe(403);
    const expired = new URL(await storage.url('u1/audio.mp3', -10));
    expect((await fetch(expired)).status).toBe(403);
  });

  it('answers 404 for a validly signed key that does not exist', async () => {
    expect((await fetch(await storage.url('u1/gone.mp3'))).status).toBe(404);
  });

  it('never serves files outside the storage root', async () => {
    const res = await fetch(`${base}/v1/storage/..%2F..%2Fetc%2Fpasswd?expires=9999999999&signature=00`);
    expect(res.status).toBe(403);
  });
});
