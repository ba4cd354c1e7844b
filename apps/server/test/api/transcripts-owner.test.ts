// The transcript API for signed-in users (AUTH_BACKEND=password, users inserted directly): ownership,
// visibility, editing, deletion with everything stored for the transcript, and user-channel events.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Message } from '../../src/events/bus.ts';
import { userChannel } from '../../src/events/transcript-events.ts';
import { setTopics } from '../../src/transcripts/content.ts';
import { uploadChunksDir, workDir } from '../../src/transcripts/files.ts';
import { createTranscript } from '../../src/transcripts/repository.ts';
import { api, waitFor, type TestPlatform } from './harness.ts';
import { sampleTopics, startSignedInPlatform, type TestUser } from './transcript-fixtures.ts';

let platform: TestPlatform;
let owner: TestUser;
let other: TestUser;
const as = (user: TestUser | null, method: string, p: string, body?: unknown) => api(platform.url, method, p, body, user?.auth ?? {});
const exists = (p: string) => stat(p).then(() => true, () => false);

async function listen(user: TestUser): Promise<{ messages: Message[]; stop: () => Promise<void> }> {
  const messages: Message[] = [];
  const stop = await platform.ctx.events.subscribe(userChannel(user.id), (m) => messages.push(m));
  return { messages, stop };
}

beforeAll(async () => {
  ({ platform, owner, other } = await startSignedInPlatform());
});
afterAll(async () => {
  await platform?.stop();
});

describe('create', () => {
  test('belongs to the caller and announces TRANSCRIPT_CREATED on their channel', async () => {
    const events = await listen(owner);
    const r = await as(owner, 'POST', '/v1/transcripts', { name: 'mine' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ user_id: owner.id, share_mode: 'private' });
    await waitFor(async () => events.messages.find((m) => m.event === 'TRANSCRIPT_CREATED'), 10_000, 'TRANSCRIPT_CREATED');
    expect(events.messages.find((m) => m.event === 'TRANSCRIPT_CREATED')!.data).toEqual({ id: r.body.id });
    await events.stop();
  });
});

describe('access', () => {
  test('private: owner 200, other user 403, anonymous 403; semi-private: any user; list shows own and shared rooms', async () => {
    const priv = (await as(owner, 'POST', '/v1/transcripts', { name: 'private one' })).body;
    expect((await as(owner, 'GET', `/v1/transcripts/${priv.id}`)).status).toBe(200);
    expect((await as(other, 'GET', `/v1/transcripts/${priv.id}`)).status).toBe(403);
    expect((await as(null, 'GET', `/v1/transcripts/${priv.id}`)).status).toBe(403);

    expect((await as(owner, 'PATCH', `/v1/transcripts/${priv.id}`, { share_mode: 'semi-private' })).body.share_mode).toBe('semi-private');
    expect((await as(other, 'GET', `/v1/transcripts/${priv.id}`)).status).toBe(200);
    expect((await as(null, 'GET', `/v1/transcripts/${priv.id}`)).status).toBe(403);

    const room = randomUUID();
    await platform.ctx.database.query('INSERT INTO room (id, name, user_id, is_shared) VALUES ($1, $2, $3, true)', [room, `shared-${room}`, owner.id]);
    const inRoom = await createTranscript(platform.ctx, { name: 'room meeting', user_id: owner.id, room_id: room, source_kind: 'room' });

    const mine = await as(owner, 'GET', '/v1/transcripts?size=100');
    expect(mine.body.items.map((t: any) => t.id)).toContain(priv.id);
    const theirs = await as(other, 'GET', '/v1/transcripts?size=100');
    const ids = theirs.body.items.map((t: any) => t.id);
    expect(ids).not.toContain(priv.id);
    expect(ids).toContain(inRoom.id);
    expect(theirs.body.items.find((t: any) => t.id === inRoom.id).room_name).toBe(`shared-${room}`);
    expect((await as(null, 'GET', '/v1/transcripts?size=100')).body.items.map((t: any) => t.id)).not.toContain(priv.id);
  });

  test('PATCH and DELETE: anonymous 401, other user 403, anonymous-owned transcript 403', async () => {
    const t = (await as(owner, 'POST', '/v1/transcripts', { name: 'guarded' })).body;
    expect((await as(null, 'PATCH', `/v1/transcripts/${t.id}`, { name: 'x' })).status).toBe(401);
    expect((await as(other, 'PATCH', `/v1/transcripts/${t.id}`, { name: 'x' })).status).toBe(403);
    expect((await as(null, 'DELETE', `/v1/transcripts/${t.id}`)).status).toBe(401);
    expect((await as(other, 'DELETE', `/v1/transcripts/${t.id}`)).status).toBe(403);
    const anon = (await as(null, 'POST', '/v1/transcripts', { name: 'nobody owns me' })).body;
    expect(anon.user_id).toBeNull();
    expect((await as(owner, 'PATCH', `/v1/transcripts/${anon.id}`, { name: 'x' })).status).toBe(403);
    expect((await as(owner, 'DELETE', `/v1/transcripts/${anon.id}`)).status).toBe(403);
    expect((await as(owner, 'GET', `/v1/transcripts/${t.id}`)).body.name).toBe('guarded');
  });
});

describe('PATCH', () => {
  test('applies only the given fields and records edited generated fields', async () => {
    const t = (await as(owner, 'POST', '/v1/transcripts', { name: 'before' })).body;
    const r = await as(owner, 'PATCH', `/v1/transcripts/${t.id}`, { title: 'My title', long_summary: '# Notes' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'before', title: 'My title', long_summary: '# Notes', short_summary: null, locked: false });
    expect(r.body.change_seq).toBeGreaterThan(t.change_seq);
    const all = await as(owner, 'PATCH', `/v1/transcripts/${t.id}`, {
      name: 'after',
      locked: true,
      short_summary: 'Short',
      share_mode: 'public',
      reviewed: true,
      audio_deleted: true,
      participants: [{ name: 'Ann', speaker: 0 }, { id: 'keep-id', name: 'Bob', speaker: null }],
    });
    expect(all.body).toMatchObject({ name: 'after', locked: true, title: 'My title', short_summary: 'Short', share_mode: 'public', reviewed: true, audio_deleted: true });
    expect(all.body.participants).toHaveLength(2);
    expect(all.body.participants[1]).toEqual({ id: 'keep-id', name: 'Bob', speaker: null, user_id: null });
    expect(all.body.participants[0].id).toMatch(/^[0-9a-f-]{36}$/);
    const [row] = await platform.ctx.database.query<{ edited_fields: string[] }>('SELECT edited_fields FROM transcript WHERE id = $1', [t.id]);
    expect(row.edited_fields.sort()).toEqual(['long_summary', 'participants', 'short_summary', 'title']);

    const dup = await as(owner, 'PATCH', `/v1/transcripts/${t.id}`, { participants: [{ name: 'A', speaker: 1 }, { name: 'B', speaker: 1 }] });
    expect(dup).toMatchObject({ status: 400, body: { detail: 'Speaker already assigned' } });
  });

  test('participants carry the e-mail of linked users', async () => {
    const t = (await as(owner, 'POST', '/v1/transcripts', { name: 'emails' })).body;
    const r = await as(owner, 'PATCH', `/v1/transcripts/${t.id}`, { participants: [{ name: 'Other', speaker: 0, user_id: other.id }] });
    expect(r.body.participants[0]).toMatchObject({ user_id: other.id, email: other.email });
    expect((await as(owner, 'GET', `/v1/transcripts/${t.id}`)).body.participants[0].email).toBe(other.email);
  });
});

describe('DELETE', () => {
  test('removes stored objects, local files, the recording, the row, and tells the owner', async () => {
    const t = (await as(owner, 'POST', '/v1/transcripts', { name: 'doomed' })).body;
    await setTopics(platform.ctx, t.id, sampleTopics());
    const { storage, config, database } = platform.ctx;
    await storage.put(`${t.id}/audio.mp3`, Buffer.from('mp3 bytes'));
    await storage.put(`${t.id}/audio.json`, Buffer.from('[0.1]'));
    const recordingId = randomUUID();
    await storage.put(`recordings/${recordingId}.webm`, Buffer.from('webm'));
    await database.query("INSERT INTO recording (id, bucket_name, object_key) VALUES ($1, 'bucket', $2)", [recordingId, `recordings/${recordingId}.webm`]);
    await database.query('UPDATE transcript SET recording_id = $2 WHERE id = $1', [t.id, recordingId]);
    for (const dir of [uploadChunksDir(config, t.id), workDir(config, t.id)]) {
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'part'), 'x');
    }
    // An unrelated transcript's objects must survive a prefix delete.
    const keep = (await as(owner, 'POST', '/v1/transcripts', { name: 'keeper' })).body;
    await storage.put(`${keep.id}/audio.mp3`, Buffer.from('keep'));

    const events = await listen(owner);
    const r = await as(owner, 'DELETE', `/v1/transcripts/${t.id}`);
    expect(r).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect((await as(owner, 'GET', `/v1/transcripts/${t.id}`)).status).toBe(404);
    expect((await as(owner, 'DELETE', `/v1/transcripts/${t.id}`)).status).toBe(404);
    expect(await storage.stat(`${t.id}/audio.mp3`)).toBeNull();
    expect(await storage.stat(`${t.id}/audio.json`)).toBeNull();
    expect(await storage.stat(`recordings/${recordingId}.webm`)).toBeNull();
    expect(await storage.stat(`${keep.id}/audio.mp3`)).not.toBeNull();
    expect(await database.query('SELECT id FROM recording WHERE id = $1', [recordingId])).toEqual([]);
    expect(await exists(uploadChunksDir(config, t.id))).toBe(false);
    expect(await exists(workDir(config, t.id))).toBe(false);
    await waitFor(async () => events.messages.find((m) => m.event === 'TRANSCRIPT_DELETED'), 10_000, 'TRANSCRIPT_DELETED');
    expect(events.messages.find((m) => m.event === 'TRANSCRIPT_DELETED')!.data).toEqual({ id: t.id });
    await events.stop();
  });
});
