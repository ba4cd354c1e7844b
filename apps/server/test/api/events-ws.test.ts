import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestMedia, uploadInChunks, type TestMedia } from '../support/media.ts';
import { connect, wsUrl } from '../support/ws-client.ts';
import { api, startTestPlatform, TEST_MODE, type TestPlatform } from './harness.ts';

describe(`transcript events WebSocket (${TEST_MODE})`, () => {
  let p: TestPlatform;
  let media: TestMedia;
  let tmp: string;
  let processedId: string;
  let liveEvents: Array<{ event: string; data: any }>;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'reflector-ws-'));
    [p, media] = await Promise.all([startTestPlatform(), makeTestMedia(tmp)]);
  });
  afterAll(async () => {
    await p?.stop();
    await rm(tmp, { recursive: true, force: true });
  });
  afterEach(async () => {
    expect((await api(p.url, 'GET', '/health')).status).toBe(200);
  });

  const create = async () => (await api(p.url, 'POST', '/v1/transcripts', { name: 'ws test' })).body.id as string;
  const eventsUrl = (id: string) => `${wsUrl(p.url)}/v1/transcripts/${id}/events`;

  it('streams STATUS, DURATION and WAVEFORM of an upload in order, ending with STATUS ended', async () => {
    processedId = await create();
    const sock = connect(eventsUrl(processedId));
    await sock.opened;
    // Nothing was recorded yet: nothing is replayed.
    await new Promise((r) => setTimeout(r, 200));
    expect(sock.messages).toEqual([]);

    const [up] = await uploadInChunks(p.url, processedId, media.mp3);
    expect(up.status, up.text).toBe(200);
    await sock.until((m) => m.event === 'STATUS' && (m.data.value === 'ended' || m.data.value === 'error'));
    liveEvents = [...sock.messages];
    sock.ws.close();

    const names = liveEvents.map((m) => (m.event === 'STATUS' ? `STATUS:${m.data.value}` : m.event));
    expect(names).toContain('STATUS:uploaded');
    const processing = names.indexOf('STATUS:processing');
    expect(processing).toBeGreaterThan(names.indexOf('STATUS:uploaded'));
    expect(names.indexOf('DURATION')).toBeGreaterThan(processing);
    expect(names.indexOf('WAVEFORM')).toBeGreaterThan(processing);
    expect(names.at(-1)).toBe('STATUS:ended');

    const duration = liveEvents.find((m) => m.event === 'DURATION')!.data.duration;
    expect(duration).toBeGreaterThan(4900);
    expect(duration).toBeLessThan(5200);
    const waveform = liveEvents.find((m) => m.event === 'WAVEFORM')!.data.waveform;
    expect(Array.isArray(waveform)).toBe(true);
    expect(waveform.length).toBeGreaterThanOrEqual(250);
    expect(waveform.every((v: number) => v >= 0 && v <= 1)).toBe(true);
  });

  it('replays stored events to a late client, without STATUS or TRANSCRIPT', async () => {
    const sock = connect(eventsUrl(processedId));
    await sock.until((m) => m.event === 'WAVEFORM', 10_000);
    await new Promise((r) => setTimeout(r, 300));
    sock.ws.close();
    // PROGRESS is live-only and never stored.
    const expected = liveEvents.filter((m) => !['STATUS', 'TRANSCRIPT', 'PROGRESS'].includes(m.event));
    expect(sock.messages).toEqual(expected);
    expect(sock.messages.map((m) => m.event)).toEqual(expect.arrayContaining(['DURATION', 'WAVEFORM']));
  });

  it('forwards live events published after the replay, once each', async () => {
    const id = await create();
    await p.ctx.database.query(`UPDATE transcript SET events = '[{"event":"FINAL_TITLE","data":{"title":"Stored"}}]'::jsonb WHERE id = $1`, [id]);
    const sock = connect(eventsUrl(id));
    await sock.until((m) => m.event === 'FINAL_TITLE');
    const { emitTranscriptEvent } = await import('../../src/events/transcript-events.ts');
    await emitTranscriptEvent(p.ctx, id, 'FINAL_SHORT_SUMMARY', { short_summary: 'live one' });
    await sock.until((m) => m.event === 'FINAL_SHORT_SUMMARY', 10_000);
    await new Promise((r) => setTimeout(r, 200));
    sock.ws.close();
    expect(sock.messages).toEqual([
      { event: 'FINAL_TITLE', data: { title: 'Stored' } },
      { event: 'FINAL_SHORT_SUMMARY', data: { short_summary: 'live one' } },
    ]);
  });

  it('closes with 4404 for an unknown transcript and 4403 when the caller may not read it', async () => {
    const unknown = connect(eventsUrl('00000000-0000-0000-0000-000000000000'));
    expect(await unknown.closed).toEqual({ code: 4404, reason: 'Transcript not found' });

    const id = await create();
    await p.ctx.database.query(`UPDATE transcript SET user_id = 'someone-else', share_mode = 'private' WHERE id = $1`, [id]);
    const denied = connect(eventsUrl(id));
    expect(await denied.closed).toEqual({ code: 4403, reason: 'Transcript access denied' });
    expect(denied.messages).toEqual([]);
  });

  it('accepts the bearer subprotocol and ignores what clients send', async () => {
    const id = await create();
    const sock = connect(eventsUrl(id), ['bearer', 'some.token.value']);
    await sock.opened;
    expect(sock.ws.protocol).toBe('bearer');
    sock.ws.send('hello');
    sock.ws.send(JSON.stringify({ cmd: 'STOP' }));
    await new Promise((r) => setTimeout(r, 200));
    expect(sock.ws.readyState).toBe(sock.ws.OPEN);
    sock.ws.close();
    expect((await sock.closed).code).toBe(1005);
  });

  it('documents the event union at GET /v1/transcripts/{id}/events', async () => {
    const id = await create();
    const r = await api(p.url, 'GET', `/v1/transcripts/${id}/events`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('null');
    const doc = (await api(p.url, 'GET', '/openapi.json')).body;
    const op = doc.paths['/v1/transcripts/{id}/events'].get;
    expect(JSON.stringify(op.responses['200'])).toContain('WAVEFORM');
  });
});
