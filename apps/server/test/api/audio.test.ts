import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { audioKey, waveformKey } from '../../src/transcripts/files.ts';
import { makeTestMedia, uploadInChunks } from '../support/media.ts';
import { api, startTestPlatform, TEST_MODE, waitFor, type TestPlatform } from './harness.ts';

describe(`audio download and waveform (${TEST_MODE})`, () => {
  let p: TestPlatform;
  let tmp: string;
  let id: string;
  let full: Buffer;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'reflector-audio-'));
    const [platform, media] = await Promise.all([startTestPlatform(), makeTestMedia(tmp)]);
    p = platform;
    id = (await api(p.url, 'POST', '/v1/transcripts', { name: 'audio test' })).body.id;
    expect((await uploadInChunks(p.url, id, media.mp3))[0].status).toBe(200);
    await waitFor(async () => (await api(p.url, 'GET', `/v1/transcripts/${id}`)).body.status === 'ended', 60_000, 'processing');
    full = Buffer.from(await (await fetch(mp3Url())).arrayBuffer());
  });
  afterAll(async () => {
    await p?.stop();
    await rm(tmp, { recursive: true, force: true });
  });
  afterEach(async () => {
    expect((await api(p.url, 'GET', '/health')).status).toBe(200);
  });

  const mp3Url = (tid = id) => `${p.url}/v1/transcripts/${tid}/audio/mp3`;
  const ranged = (range: string) => fetch(mp3Url(), { headers: { range } });

  it('serves the mp3 with its type, size and a download name', async () => {
    const r = await fetch(mp3Url());
    const body = Buffer.from(await r.arrayBuffer());
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('audio/mpeg');
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(Number(r.headers.get('content-length'))).toBe(body.length);
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename=recording_${id.split('-')[0]}.mp3`);
    const stored = await p.ctx.storage.stat(audioKey(id));
    expect(body.length).toBe(stored!.size);
    // An mp3 starts with an ID3 tag or a frame sync.
    expect(body.subarray(0, 3).toString() === 'ID3' || (body[0] === 0xff && (body[1] & 0xe0) === 0xe0)).toBe(true);
  });

  it('answers HEAD with the headers only', async () => {
    const r = await fetch(mp3Url(), { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('audio/mpeg');
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(Number(r.headers.get('content-length'))).toBe(full.length);
    expect(r.headers.get('content-disposition')).toBeNull();
    expect((await r.arrayBuffer()).byteLength).toBe(0);
  });

  it('serves closed, open-ended and suffix byte ranges with 206', async () => {
    const a = await ranged('bytes=0-100');
    expect(a.status).toBe(206);
    expect(a.headers.get('content-range')).toBe(`bytes 0-100/${full.length}`);
    expect(a.headers.get('content-length')).toBe('101');
    expect(Buffer.from(await a.arrayBuffer()).equals(full.subarray(0, 101))).toBe(true);

    const b = await ranged('bytes=100-');
    expect(b.status).toBe(206);
    expect(b.headers.get('content-range')).toBe(`bytes 100-${full.length - 1}/${full.length}`);
    expect(Buffer.from(await b.arrayBuffer()).equals(full.subarray(100))).toBe(true);

    const c = await ranged('bytes=-50');
    expect(c.status).toBe(206);
    expect(c.headers.get('content-range')).toBe(`bytes ${full.length - 50}-${full.length - 1}/${full.length}`);
    expect(Buffer.from(await c.arrayBuffer()).equals(full.subarray(full.length - 50))).toBe(true);

    const d = await ranged(`bytes=10-${full.length + 1000}`);
    expect(d.status).toBe(206);
    expect(d.headers.get('content-range')).toBe(`bytes 10-${full.length - 1}/${full.length}`);
    await d.arrayBuffer();
  });

  it('answers 416 with the size for ranges past the end and malformed ranges', async () => {
    for (const range of [`bytes=${full.length}-`, `bytes=${full.length + 10}-${full.length + 20}`, 'bytes=50-10', 'bytes=abc', 'bytes=-0']) {
      const r = await ranged(range);
      expect(r.status, range).toBe(416);
      expect(r.headers.get('content-range')).toBe(`bytes */${full.length}`);
      expect(((await r.json()) as any).detail).toMatch(/not satisfiable/);
    }
  });

  it('returns the waveform', async () => {
    const r = await api(p.url, 'GET', `/v1/transcripts/${id}/audio/waveform`);
    expect(r.status).toBe(200);
    expect(r.body.data.length).toBeGreaterThanOrEqual(250);
    expect(r.body.data.every((v: number) => v >= 0 && v <= 1)).toBe(true);
    expect(Math.max(...r.body.data)).toBe(1);
  });

  it('answers 404 before processing and for unknown transcripts', async () => {
    const fresh = (await api(p.url, 'POST', '/v1/transcripts', { name: 'no audio' })).body.id;
    const mp3 = await api(p.url, 'GET', `/v1/transcripts/${fresh}/audio/mp3`);
    expect(mp3.status).toBe(404);
    expect(mp3.body).toEqual({ detail: 'Audio file not found' });
    expect((await fetch(mp3Url(fresh), { method: 'HEAD' })).status).toBe(404);
    const wf = await api(p.url, 'GET', `/v1/transcripts/${fresh}/audio/waveform`);
    expect(wf.status).toBe(404);
    expect(wf.body).toEqual({ detail: 'Audio not found' });
    const unknown = await api(p.url, 'GET', '/v1/transcripts/00000000-0000-0000-0000-000000000000/audio/mp3');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: 'Transcript not found' });
  });

  it('deletes a corrupt waveform file and answers 404', async () => {
    const other = (await api(p.url, 'POST', '/v1/transcripts', { name: 'corrupt' })).body.id;
    await p.ctx.storage.put(waveformKey(other), Buffer.from('{"data": [0.1, 0.'), { contentType: 'application/json' });
    const r = await api(p.url, 'GET', `/v1/transcripts/${other}/audio/waveform`);
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ detail: 'Audio not found' });
    expect(await p.ctx.storage.stat(waveformKey(other))).toBeNull();
  });

  it('hides the audio once it was deleted for privacy', async () => {
    const other = (await api(p.url, 'POST', '/v1/transcripts', { name: 'private audio' })).body.id;
    await p.ctx.storage.put(audioKey(other), full, { contentType: 'audio/mpeg' });
    expect((await fetch(mp3Url(other), { method: 'HEAD' })).status).toBe(200);
    await p.ctx.database.query('UPDATE transcript SET audio_deleted = true WHERE id = $1', [other]);
    const r = await api(p.url, 'GET', `/v1/transcripts/${other}/audio/mp3`);
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ detail: 'Audio unavailable due to privacy settings' });
  });

  it('refuses anonymous reads of a private transcript', async () => {
    const other = (await api(p.url, 'POST', '/v1/transcripts', { name: 'owned' })).body.id;
    await p.ctx.database.query(`UPDATE transcript SET user_id = 'owner-1', share_mode = 'private' WHERE id = $1`, [other]);
    expect((await api(p.url, 'GET', `/v1/transcripts/${other}/audio/mp3`)).status).toBe(403);
    expect((await api(p.url, 'GET', `/v1/transcripts/${other}/audio/waveform`)).status).toBe(403);
  });
});
