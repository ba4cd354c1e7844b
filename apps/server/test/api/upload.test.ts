import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { uploadChunksDir } from '../../src/transcripts/files.ts';
import { makeTestMedia, uploadChunk, uploadInChunks, type TestMedia } from '../support/media.ts';
import { api, startTestPlatform, TEST_MODE, waitFor, type TestPlatform } from './harness.ts';

const MAX_CHUNK = 256 * 1024;

describe(`chunked upload and processing (${TEST_MODE})`, () => {
  let p: TestPlatform;
  let media: TestMedia;
  let tmp: string;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'reflector-upload-'));
    [p, media] = await Promise.all([startTestPlatform({ env: { UPLOAD_MAX_CHUNK_BYTES: String(MAX_CHUNK) } }), makeTestMedia(tmp)]);
  });
  afterAll(async () => {
    await p?.stop();
    await rm(tmp, { recursive: true, force: true });
  });
  afterEach(async () => {
    // Whatever the previous request sent, the server is still there.
    expect((await api(p.url, 'GET', '/health')).status).toBe(200);
  });

  const create = async (name = 'upload test') => {
    const r = await api(p.url, 'POST', '/v1/transcripts', { name });
    expect(r.status).toBe(200);
    return r.body.id as string;
  };
  const get = async (id: string) => (await api(p.url, 'GET', `/v1/transcripts/${id}`)).body;
  const row = async (id: string) =>
    (await p.ctx.database.query<{ upload_key: string | null; status: string; source_kind: string }>('SELECT upload_key, status, source_kind FROM transcript WHERE id = $1', [id]))[0];
  const waitStatus = (id: string, status: string, ms = 60_000) =>
    waitFor(async () => (await get(id)).status === status, ms, `transcript ${id} to be ${status}`);
  const chunksGone = async (id: string) => expect(await stat(uploadChunksDir(p.ctx.config, id)).catch(() => null)).toBeNull();

  it('accepts a one-chunk mp3, stores it, marks it uploaded and processes it to ended', async () => {
    const id = await create();
    const [r] = await uploadInChunks(p.url, id, media.mp3, MAX_CHUNK);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok' });
    const t = await row(id);
    expect(t.upload_key).toBe(`${id}/upload.mp3`);
    expect(t.source_kind).toBe('file');
    await chunksGone(id);
    await waitStatus(id, 'ended');
    const done = await get(id);
    expect(done.duration).toBeGreaterThan(4900);
    expect(done.duration).toBeLessThan(5200);
    expect(await p.ctx.storage.stat(`${id}/audio.mp3`)).not.toBeNull();
  });

  it('joins several chunks in order and deletes the parts', async () => {
    const id = await create();
    const original = await readFile(media.videoWithAudio);
    const chunk = 16 * 1024;
    const total = Math.ceil(original.length / chunk);
    expect(total).toBeGreaterThan(2);
    for (let n = 0; n < total - 1; n++) {
      const r = await uploadChunk(p.url, id, n, total, original.subarray(n * chunk, (n + 1) * chunk), 'with-audio.mp4');
      expect(r.status, r.text).toBe(200);
      expect(r.body).toEqual({ status: 'ok' });
    }
    expect((await stat(path.join(uploadChunksDir(p.ctx.config, id), `chunk_${total - 2}`))).isFile()).toBe(true);
    expect((await row(id)).upload_key).toBeNull();
    const last = await uploadChunk(p.url, id, total - 1, total, original.subarray((total - 1) * chunk), 'with-audio.mp4');
    expect(last.status, last.text).toBe(200);
    await chunksGone(id);

    const key = (await row(id)).upload_key!;
    expect(key).toBe(`${id}/upload.mp4`);
    const stored = createHash('sha256');
    for await (const c of await p.ctx.storage.get(key)) stored.update(c as Buffer);
    expect(stored.digest('hex')).toBe(createHash('sha256').update(original).digest('hex'));
    await waitStatus(id, 'ended');
  });

  it('refuses a video without an audio stream and removes the file', async () => {
    const id = await create();
    const [r] = await uploadInChunks(p.url, id, media.videoWithoutAudio, MAX_CHUNK);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ detail: 'File has no audio stream' });
    await chunksGone(id);
    expect(await row(id)).toMatchObject({ upload_key: null, status: 'idle' });
    // Nothing is left behind that would block a proper upload.
    const [again] = await uploadInChunks(p.url, id, media.mp3, MAX_CHUNK);
    expect(again.status, again.text).toBe(200);
  });

  it.each([
    ['a text file', 'text', /not usable audio or video/],
    ['a truncated mp3', 'truncatedMp3', /truncated|damaged/],
    ['a zero-byte file', 'empty', /empty/],
  ] as const)('refuses %s with a reason and keeps nothing', async (_what, file, reason) => {
    const id = await create();
    const [r] = await uploadInChunks(p.url, id, media[file], MAX_CHUNK);
    expect(r.status, r.text).toBe(400);
    expect(r.body.detail).toMatch(reason);
    await chunksGone(id);
    expect(await row(id)).toMatchObject({ upload_key: null, status: 'idle' });
  });

  it('refuses a chunk over UPLOAD_MAX_CHUNK_BYTES with 413', async () => {
    const id = await create();
    const r = await uploadChunk(p.url, id, 0, 2, Buffer.alloc(MAX_CHUNK + 1000, 7));
    expect(r.status).toBe(413);
    expect(r.body.detail).toContain('UPLOAD_MAX_CHUNK_BYTES');
    expect(await stat(path.join(uploadChunksDir(p.ctx.config, id), 'chunk_0')).catch(() => null)).toBeNull();
  });

  it('names the missing chunk and keeps the others until it arrives', async () => {
    const id = await create();
    const data = await readFile(media.mp3);
    const third = Math.ceil(data.length / 3);
    const part = (n: number) => data.subarray(n * third, (n + 1) * third);
    expect((await uploadChunk(p.url, id, 0, 3, part(0))).status).toBe(200);
    const r = await uploadChunk(p.url, id, 2, 3, part(2));
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/chunk 1 of 3 missing/);
    expect((await uploadChunk(p.url, id, 1, 3, part(1))).status).toBe(200);
    const done = await uploadChunk(p.url, id, 2, 3, part(2));
    expect(done.status, done.text).toBe(200);
    await chunksGone(id);
  });

  it('refuses uploads to a locked transcript and a second upload', async () => {
    const locked = await create();
    await p.ctx.database.query('UPDATE transcript SET locked = true WHERE id = $1', [locked]);
    const r = await uploadChunk(p.url, locked, 0, 1, await readFile(media.mp3));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ detail: 'Transcript is locked' });

    const id = await create();
    expect((await uploadInChunks(p.url, id, media.mp3, MAX_CHUNK))[0].status).toBe(200);
    const second = await uploadChunk(p.url, id, 0, 1, await readFile(media.mp3));
    expect(second.status).toBe(400);
    expect(second.body).toEqual({ detail: 'There is already an upload in progress' });
    await waitStatus(id, 'ended');
    const third = await uploadChunk(p.url, id, 0, 1, await readFile(media.mp3));
    expect(third.body).toEqual({ detail: 'There is already an upload in progress' });
  });

  it('validates chunk_number, total_chunks and the field name with 422', async () => {
    const id = await create();
    const bytes = Buffer.from('x');
    const over = await uploadChunk(p.url, id, 3, 3, bytes);
    expect(over.status).toBe(422);
    expect(over.body.detail[0].field).toBe('chunk_number');
    const noQuery = await fetch(`${p.url}/v1/transcripts/${id}/record/upload`, { method: 'POST', body: new FormData() });
    expect(noQuery.status).toBe(422);
    expect(JSON.stringify(await noQuery.json())).toMatch(/chunk_number|total_chunks/);
    const negative = await fetch(`${p.url}/v1/transcripts/${id}/record/upload?chunk_number=-1&total_chunks=2`, { method: 'POST' });
    expect(negative.status).toBe(422);
    expect(((await negative.json()) as any).detail[0].field).toBe('chunk_number');
    const wrongField = await uploadChunk(p.url, id, 0, 1, bytes, 'blob', 'file');
    expect(wrongField.status).toBe(422);
    expect(wrongField.body.detail[0].field).toBe('chunk');
    const notMultipart = await api(p.url, 'POST', `/v1/transcripts/${id}/record/upload?chunk_number=0&total_chunks=1`, { chunk: 'x' });
    expect(notMultipart.status).toBe(415);
    const unknown = await uploadChunk(p.url, '00000000-0000-0000-0000-000000000000', 0, 1, bytes);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: 'Transcript not found' });
  });

  describe('process', () => {
    it('refuses a transcript without an upload, and a locked one', async () => {
      const id = await create();
      const r = await api(p.url, 'POST', `/v1/transcripts/${id}/process`);
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ detail: 'Recording is not ready for processing' });
      await p.ctx.database.query('UPDATE transcript SET locked = true WHERE id = $1', [id]);
      const locked = await api(p.url, 'POST', `/v1/transcripts/${id}/process`);
      expect(locked.status).toBe(400);
      expect(locked.body).toEqual({ detail: 'Recording is locked' });
      expect((await api(p.url, 'POST', '/v1/transcripts/00000000-0000-0000-0000-000000000000/process')).status).toBe(404);
    });

    it('reprocesses: clears machine results, keeps edited fields, and ends again', async () => {
      const id = await create();
      await uploadInChunks(p.url, id, media.mp3, MAX_CHUNK);
      await waitStatus(id, 'ended');
      // The job itself finishes a moment after it reports ended.
      await waitFor(async () => !(await p.ctx.jobs.isPending(`process-${id}`)), 10_000, 'the job to finish');
      await p.ctx.database.query(
        `UPDATE transcript SET title = 'Kept by hand', long_summary = 'machine summary', edited_fields = '["title"]'::jsonb,
           topics = '[{"id":"t1","title":"old","summary":"old","timestamp":0,"duration":1,"transcript":"old","words":[]}]'::jsonb WHERE id = $1`,
        [id],
      );
      const first = await api(p.url, 'POST', `/v1/transcripts/${id}/process`);
      expect(first.body).toEqual({ status: 'ok' });
      const second = await api(p.url, 'POST', `/v1/transcripts/${id}/process`);
      expect(second.body).toEqual({ status: 'already running' });
      await waitStatus(id, 'ended');
      const [t] = await p.ctx.database.query<{ title: string; long_summary: string | null; topics: unknown[]; events: Array<{ event: string }> }>(
        'SELECT title, long_summary, topics, events FROM transcript WHERE id = $1',
        [id],
      );
      expect(t.title).toBe('Kept by hand');
      // Not edited by hand, so written again by this run (a tone has nothing to summarise).
      expect(t.long_summary).not.toBe('machine summary');
      expect(t.long_summary).toMatch(/^## Quick recap/);
      expect(t.topics).toEqual([]);
      // The event log restarted with this run: one DURATION, not two.
      expect(t.events.filter((e) => e.event === 'DURATION')).toHaveLength(1);
      expect(t.events.at(-1)).toEqual({ event: 'STATUS', data: { value: 'ended' } });
    });
  });
});
