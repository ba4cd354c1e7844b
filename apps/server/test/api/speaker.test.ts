// Speaker corrections: assigning a time range to a speaker or participant, and merging speakers. The
// topics, the stored WebVTT and the formats follow (AUTH_BACKEND=password, owner edits).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setTopics } from '../../src/transcripts/content.ts';
import { api, type TestPlatform } from './harness.ts';
import { sampleTopics, startSignedInPlatform, type TestUser } from './transcript-fixtures.ts';

let platform: TestPlatform;
let owner: TestUser;
let other: TestUser;
const as = (user: TestUser | null, method: string, p: string, body?: unknown) => api(platform.url, method, p, body, user?.auth ?? {});

async function seeded(): Promise<string> {
  const id = (await as(owner, 'POST', '/v1/transcripts', { name: 'speakers' })).body.id as string;
  await setTopics(platform.ctx, id, sampleTopics());
  return id;
}
const wordSpeakers = async (id: string) =>
  ((await as(owner, 'GET', `/v1/transcripts/${id}/topics/with-words`)).body as any[]).flatMap((t) => t.words.map((w: any) => w.speaker));
const storedVtt = async (id: string) => (await platform.ctx.database.query<{ webvtt: string }>('SELECT webvtt FROM transcript WHERE id = $1', [id]))[0].webvtt;

beforeAll(async () => {
  ({ platform, owner, other } = await startSignedInPlatform());
});
afterAll(async () => {
  await platform?.stop();
});

describe('assign', () => {
  test('relabels exactly the words starting within [from, to], across topics; segments and WebVTT follow', async () => {
    const id = await seeded();
    expect(await wordSpeakers(id)).toEqual([0, 0, 1, 1, 1, 1, 1]);
    // Word starts: 0, 1, 2, 2.5 | 3661, 3662, 3663. The range [1, 3661] covers " world.", " Hi", " there.", "How".
    const r = await as(owner, 'PATCH', `/v1/transcripts/${id}/speaker/assign`, { speaker: 4, timestamp_from: 1, timestamp_to: 3661 });
    expect(r).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await wordSpeakers(id)).toEqual([0, 4, 4, 4, 4, 1, 1]);
    const topics = (await as(owner, 'GET', `/v1/transcripts/${id}/topics`)).body;
    expect(topics[0].segments).toEqual([
      { text: 'Hello', start: 0, speaker: 0 },
      { text: 'world. Hi there.', start: 1, speaker: 4 },
    ]);
    expect(await storedVtt(id)).toContain('<v Speaker4>world. Hi there.');
    expect((await as(owner, 'GET', `/v1/transcripts/${id}`)).body.transcript).toBe(
      'Speaker 0: Hello\nSpeaker 4: world. Hi there.\nSpeaker 4: How\nSpeaker 1: are you?',
    );
  });

  test('a participant without speaker gets the lowest unused index, stored on the participant', async () => {
    const id = await seeded();
    const ann = (await as(owner, 'POST', `/v1/transcripts/${id}/participants`, { name: 'Ann' })).body;
    const r = await as(owner, 'PATCH', `/v1/transcripts/${id}/speaker/assign`, { participant: ann.id, timestamp_from: 3661, timestamp_to: 3700 });
    expect(r.status).toBe(200);
    expect(await wordSpeakers(id)).toEqual([0, 0, 1, 1, 2, 2, 2]);
    expect((await as(owner, 'GET', `/v1/transcripts/${id}/participants/${ann.id}`)).body.speaker).toBe(2);
    expect((await as(owner, 'GET', `/v1/transcripts/${id}?transcript_format=text-timestamped`)).body.transcript).toBe(
      '[00:00] Speaker 0: Hello world.\n[00:02] Speaker 1: Hi there.\n[61:01] Ann: How are you?',
    );
    // A participant who already has a speaker keeps it.
    await as(owner, 'PATCH', `/v1/transcripts/${id}/speaker/assign`, { participant: ann.id, timestamp_from: 0, timestamp_to: 0 });
    expect(await wordSpeakers(id)).toEqual([2, 0, 1, 1, 2, 2, 2]);
  });

  test('neither or both of speaker and participant → 400; unknown participant → 404; bad values → 422', async () => {
    const id = await seeded();
    const assign = (body: unknown) => as(owner, 'PATCH', `/v1/transcripts/${id}/speaker/assign`, body);
    expect((await assign({ timestamp_from: 0, timestamp_to: 1 })).status).toBe(400);
    expect((await assign({ speaker: 1, participant: 'p', timestamp_from: 0, timestamp_to: 1 })).status).toBe(400);
    expect(await assign({ participant: 'nobody', timestamp_from: 0, timestamp_to: 1 })).toMatchObject({ status: 404, body: { detail: 'Participant not found' } });
    const negative = await assign({ speaker: -1, timestamp_from: 0, timestamp_to: 1 });
    expect(negative.status).toBe(422);
    expect(negative.body.detail[0].loc).toEqual(['body', 'speaker']);
    expect((await assign({ speaker: 1, timestamp_from: 0 })).status).toBe(422);
    expect(await wordSpeakers(id)).toEqual([0, 0, 1, 1, 1, 1, 1]);
  });
});

describe('merge', () => {
  test('relabels every word of speaker_from', async () => {
    const id = await seeded();
    const r = await as(owner, 'PATCH', `/v1/transcripts/${id}/speaker/merge`, { speaker_from: 1, speaker_to: 0 });
    expect(r).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await wordSpeakers(id)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(await storedVtt(id)).not.toContain('Speaker1');
  });

  test('refused when both speakers belong to participants', async () => {
    const id = await seeded();
    await as(owner, 'POST', `/v1/transcripts/${id}/participants`, { name: 'Ann', speaker: 0 });
    await as(owner, 'POST', `/v1/transcripts/${id}/participants`, { name: 'Bob', speaker: 1 });
    const r = await as(owner, 'PATCH', `/v1/transcripts/${id}/speaker/merge`, { speaker_from: 1, speaker_to: 0 });
    expect(r).toMatchObject({ status: 400, body: { detail: 'Both speakers are assigned to participants' } });
    expect(await wordSpeakers(id)).toEqual([0, 0, 1, 1, 1, 1, 1]);
  });

  test('needs the owner: anonymous 401, other user 403', async () => {
    const id = await seeded();
    expect((await as(null, 'PATCH', `/v1/transcripts/${id}/speaker/merge`, { speaker_from: 1, speaker_to: 0 })).status).toBe(401);
    expect((await as(other, 'PATCH', `/v1/transcripts/${id}/speaker/merge`, { speaker_from: 1, speaker_to: 0 })).status).toBe(403);
    expect((await as(other, 'PATCH', `/v1/transcripts/${id}/speaker/assign`, { speaker: 0, timestamp_from: 0, timestamp_to: 9 })).status).toBe(403);
    expect(await wordSpeakers(id)).toEqual([0, 0, 1, 1, 1, 1, 1]);
  });
});
