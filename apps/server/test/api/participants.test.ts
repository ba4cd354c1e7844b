// Participants of a transcript: named speakers, edited by the owner (AUTH_BACKEND=password).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, type TestPlatform } from './harness.ts';
import { startSignedInPlatform, type TestUser } from './transcript-fixtures.ts';

let platform: TestPlatform;
let owner: TestUser;
let other: TestUser;
const as = (user: TestUser | null, method: string, p: string, body?: unknown) => api(platform.url, method, p, body, user?.auth ?? {});
const newTranscript = async () => (await as(owner, 'POST', '/v1/transcripts', { name: 'people' })).body.id as string;

beforeAll(async () => {
  ({ platform, owner, other } = await startSignedInPlatform());
});
afterAll(async () => {
  await platform?.stop();
});

describe('participants', () => {
  test('create with and without speaker; the same speaker twice is refused', async () => {
    const id = await newTranscript();
    expect((await as(owner, 'GET', `/v1/transcripts/${id}/participants`)).body).toEqual([]);
    const ann = await as(owner, 'POST', `/v1/transcripts/${id}/participants`, { name: 'Ann', speaker: 0 });
    expect(ann.status).toBe(200);
    expect(ann.body).toMatchObject({ name: 'Ann', speaker: 0 });
    expect(ann.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const bob = await as(owner, 'POST', `/v1/transcripts/${id}/participants`, { name: 'Bob' });
    expect(bob.body).toMatchObject({ name: 'Bob', speaker: null });
    const dup = await as(owner, 'POST', `/v1/transcripts/${id}/participants`, { name: 'Cid', speaker: 0 });
    expect(dup).toMatchObject({ status: 400, body: { detail: 'Speaker already assigned' } });

    const list = await as(owner, 'GET', `/v1/transcripts/${id}/participants`);
    expect(list.body.map((p: any) => [p.name, p.speaker])).toEqual([
      ['Ann', 0],
      ['Bob', null],
    ]);
    expect((await as(owner, 'GET', `/v1/transcripts/${id}/participants/${ann.body.id}`)).body).toMatchObject({ name: 'Ann', speaker: 0 });
    expect((await as(owner, 'GET', `/v1/transcripts/${id}/participants/nope`))).toMatchObject({ status: 404, body: { detail: 'Participant not found' } });
    expect((await as(owner, 'GET', `/v1/transcripts/${id}`)).body.participants).toHaveLength(2);
  });

  test('PATCH renames, and checks speaker collisions only when a speaker is given', async () => {
    const id = await newTranscript();
    const ann = (await as(owner, 'POST', `/v1/transcripts/${id}/participants`, { name: 'Ann', speaker: 0 })).body;
    const bob = (await as(owner, 'POST', `/v1/transcripts/${id}/participants`, { name: 'Bob' })).body;
    await as(owner, 'POST', `/v1/transcripts/${id}/participants`, { name: 'Cid' });
    // Bob and Cid both have no speaker: a rename is not a collision.
    expect((await as(owner, 'PATCH', `/v1/transcripts/${id}/participants/${bob.id}`, { name: 'Robert' })).body).toMatchObject({ name: 'Robert', speaker: null });
    const clash = await as(owner, 'PATCH', `/v1/transcripts/${id}/participants/${bob.id}`, { speaker: 0 });
    expect(clash).toMatchObject({ status: 400, body: { detail: 'Speaker already assigned' } });
    expect((await as(owner, 'PATCH', `/v1/transcripts/${id}/participants/${bob.id}`, { speaker: 1 })).body).toMatchObject({ name: 'Robert', speaker: 1 });
    // Keeping one's own speaker is fine.
    expect((await as(owner, 'PATCH', `/v1/transcripts/${id}/participants/${ann.id}`, { speaker: 0, name: 'Anne' })).body).toMatchObject({ name: 'Anne', speaker: 0 });
    expect((await as(owner, 'PATCH', `/v1/transcripts/${id}/participants/nope`, { name: 'x' })).status).toBe(404);
    const bad = await as(owner, 'PATCH', `/v1/transcripts/${id}/participants/${ann.id}`, { speaker: -1 });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(['body', 'speaker']);
  });

  test('DELETE removes the participant; unknown ids are fine', async () => {
    const id = await newTranscript();
    const ann = (await as(owner, 'POST', `/v1/transcripts/${id}/participants`, { name: 'Ann', speaker: 0 })).body;
    expect((await as(owner, 'DELETE', `/v1/transcripts/${id}/participants/${ann.id}`)).body).toEqual({ status: 'ok' });
    expect((await as(owner, 'GET', `/v1/transcripts/${id}/participants`)).body).toEqual([]);
    expect((await as(owner, 'DELETE', `/v1/transcripts/${id}/participants/${ann.id}`)).body).toEqual({ status: 'ok' });
    // The speaker index is free again.
    expect((await as(owner, 'POST', `/v1/transcripts/${id}/participants`, { name: 'Zed', speaker: 0 })).status).toBe(200);
  });

  test('changes need the owner: anonymous 401, other user 403; reading follows the share mode', async () => {
    const id = await newTranscript();
    const ann = (await as(owner, 'POST', `/v1/transcripts/${id}/participants`, { name: 'Ann', speaker: 0 })).body;
    for (const [user, status] of [
      [null, 401],
      [other, 403],
    ] as const) {
      expect((await as(user, 'POST', `/v1/transcripts/${id}/participants`, { name: 'X' })).status).toBe(status);
      expect((await as(user, 'PATCH', `/v1/transcripts/${id}/participants/${ann.id}`, { name: 'X' })).status).toBe(status);
      expect((await as(user, 'DELETE', `/v1/transcripts/${id}/participants/${ann.id}`)).status).toBe(status);
      expect((await as(user, 'GET', `/v1/transcripts/${id}/participants`)).status).toBe(403);
    }
    expect((await as(owner, 'GET', `/v1/transcripts/${id}/participants`)).body.map((p: any) => p.name)).toEqual(['Ann']);
  });
});
