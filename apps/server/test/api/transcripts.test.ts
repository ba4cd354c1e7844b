// The transcript API with the default configuration (AUTH_BACKEND=none, PUBLIC_MODE=true): anonymous
// transcripts readable by everyone, never editable; owned rows inserted directly to check visibility.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setParticipants, setTopics } from '../../src/transcripts/content.ts';
import { createTranscript } from '../../src/transcripts/repository.ts';
import { api, startTestPlatform, type TestPlatform } from './harness.ts';
import { NOT_UUID_IDS, sampleTopics, word } from './transcript-fixtures.ts';

let platform: TestPlatform;
const call = (method: string, path: string, body?: unknown) => api(platform.url, method, path, body);
const create = async (body: Record<string, unknown> = { name: 'x' }) => {
  const r = await call('POST', '/v1/transcripts', body);
  expect(r.status).toBe(200);
  return r.body;
};
const changeSeqOf = async (id: string) =>
  (await platform.ctx.database.query<{ change_seq: number }>('SELECT change_seq FROM transcript WHERE id = $1', [id]))[0].change_seq;

beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

describe('create', () => {
  test('returns an idle, unlocked transcript without topics or events', async () => {
    const r = await call('POST', '/v1/transcripts', { name: 'Weekly sync' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'Weekly sync', status: 'idle', locked: false, participants: [], user_id: null, duration: 0, reviewed: false });
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(r.body.created_at).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(r.body).not.toHaveProperty('topics');
    expect(r.body).not.toHaveProperty('events');
    expect(typeof r.body.change_seq).toBe('number');
  });

  test('defaults: generated name, en/en, live', async () => {
    const body = await create({});
    expect(body.name).toMatch(/^Transcript \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(body).toMatchObject({ source_language: 'en', target_language: 'en', source_kind: 'live' });
    expect(await create({ name: 'fr', source_language: 'en', target_language: 'fr', source_kind: 'file' })).toMatchObject({
      source_language: 'en',
      target_language: 'fr',
      source_kind: 'file',
    });
  });

  test('bad bodies get 422 naming the field', async () => {
    const malformed = await call('POST', '/v1/transcripts', '{"name": ');
    expect(malformed.status).toBe(422);
    const wrongType = await call('POST', '/v1/transcripts', { name: 5 });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.detail[0].loc).toEqual(['body', 'name']);
    const badKind = await call('POST', '/v1/transcripts', { source_kind: 'tape' });
    expect(badKind.status).toBe(422);
    expect(badKind.body.detail[0].loc).toEqual(['body', 'source_kind']);
  });
});

describe('list', () => {
  test('paginates newest first and filters', async () => {
    const room = randomUUID();
    await platform.ctx.database.query("INSERT INTO room (id, name, user_id) VALUES ($1, $2, 'owner')", [room, `room-${room}`]);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const row = await createTranscript(platform.ctx, { name: `paged ${i}`, source_kind: 'file', room_id: room });
      ids.push(row.id);
    }
    const page1 = await call('GET', `/v1/transcripts?room_id=${room}&size=2`);
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ total: 5, page: 1, size: 2, pages: 3 });
    expect(page1.body.items.map((t: any) => t.id)).toEqual([ids[4], ids[3]]);
    expect(page1.body.items[0]).toMatchObject({ room_id: room, room_name: `room-${room}` });
    expect(page1.body.items[0]).not.toHaveProperty('topics');
    const page3 = await call('GET', `/v1/transcripts?room_id=${room}&size=2&page=3`);
    expect(page3.body.items.map((t: any) => t.id)).toEqual([ids[0]]);

    const live = await call('GET', `/v1/transcripts?room_id=${room}&source_kind=live`);
    expect(live.body.total).toBe(0);
    const term = await call('GET', `/v1/transcripts?room_id=${room}&search_term=PAGED%203`);
    expect(term.body.items.map((t: any) => t.id)).toEqual([ids[3]]);
    // LIKE wildcards in the term are literal.
    expect((await call('GET', `/v1/transcripts?room_id=${room}&search_term=%25`)).body.total).toBe(0);
  });

  test('invalid paging and filters get 422', async () => {
    for (const q of ['size=0', 'size=101', 'page=0', 'sort_by=name', 'source_kind=tape', 'change_seq_from=abc']) {
      const r = await call('GET', `/v1/transcripts?${q}`);
      expect(r.status, q).toBe(422);
      expect(r.body.detail[0].loc[0]).toBe('querystring');
    }
  });

  test('change_seq strictly increases on every write; change_seq_from returns later rows ascending', async () => {
    const a = await create({ name: 'seq a' });
    const b = await create({ name: 'seq b' });
    expect(b.change_seq).toBeGreaterThan(a.change_seq);
    const before = await changeSeqOf(a.id);
    await setTopics(platform.ctx, a.id, sampleTopics());
    const afterTopics = await changeSeqOf(a.id);
    expect(afterTopics).toBeGreaterThan(Math.max(before, b.change_seq));
    await setParticipants(platform.ctx, a.id, []);
    expect(await changeSeqOf(a.id)).toBeGreaterThan(afterTopics);

    const r = await call('GET', `/v1/transcripts?change_seq_from=${a.change_seq}&sort_by=change_seq&size=100`);
    expect(r.status).toBe(200);
    const seqs = r.body.items.map((t: any) => t.change_seq);
    expect(seqs.every((s: number) => s > a.change_seq)).toBe(true);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(r.body.items.map((t: any) => t.id)).toEqual([b.id, a.id]);
    const none = await call('GET', `/v1/transcripts?change_seq_from=${await changeSeqOf(a.id)}&sort_by=change_seq`);
    expect(none.body.items.map((t: any) => t.id)).not.toContain(a.id);
  });

  test('anonymous list shows anonymous and public transcripts, never private ones', async () => {
    const tag = randomUUID().slice(0, 8);
    const anon = await createTranscript(platform.ctx, { name: `vis ${tag} anon` });
    const priv = await createTranscript(platform.ctx, { name: `vis ${tag} private`, user_id: 'owner-1', share_mode: 'private' });
    const semi = await createTranscript(platform.ctx, { name: `vis ${tag} semi`, user_id: 'owner-1', share_mode: 'semi-private' });
    const pub = await createTranscript(platform.ctx, { name: `vis ${tag} public`, user_id: 'owner-1', share_mode: 'public' });
    const r = await call('GET', `/v1/transcripts?search_term=vis%20${tag}`);
    expect(r.body.items.map((t: any) => t.id).sort()).toEqual([anon.id, pub.id].sort());

    expect((await call('GET', `/v1/transcripts/${priv.id}`)).status).toBe(403);
    expect((await call('GET', `/v1/transcripts/${priv.id}`)).body).toEqual({ detail: 'Transcript access denied' });
    expect((await call('GET', `/v1/transcripts/${priv.id}/topics`)).status).toBe(403);
    expect((await call('GET', `/v1/transcripts/${priv.id}/participants`)).status).toBe(403);
    expect((await call('GET', `/v1/transcripts/${semi.id}`)).status).toBe(403);
    expect((await call('GET', `/v1/transcripts/${pub.id}`)).status).toBe(200);
    expect((await call('GET', `/v1/transcripts/${pub.id}/topics`)).status).toBe(200);
    expect((await call('GET', `/v1/transcripts/${anon.id}`)).status).toBe(200);
  });
});

describe('read formats', () => {
  let id: string;
  beforeAll(async () => {
    id = (await create({ name: 'Formats' })).id;
    await setParticipants(platform.ctx, id, [{ id: 'p-john', speaker: 0, name: 'John Smith', user_id: null }]);
    await setTopics(platform.ctx, id, sampleTopics());
  });

  test('text is the default', async () => {
    const r = await call('GET', `/v1/transcripts/${id}`);
    expect(r.status).toBe(200);
    expect(r.body.transcript_format).toBe('text');
    expect(r.body.transcript).toBe('John Smith: Hello world.\nSpeaker 1: Hi there.\nSpeaker 1: How are you?');
    expect(r.body.participants).toEqual([{ id: 'p-john', speaker: 0, name: 'John Smith', user_id: null }]);
    expect(r.body).not.toHaveProperty('topics');
    expect(r.body).not.toHaveProperty('webvtt');
  });

  test('text-timestamped, webvtt-named, json, srt, markdown', async () => {
    const get = async (f: string) => {
      const r = await call('GET', `/v1/transcripts/${id}?transcript_format=${f}`);
      expect(r.status, f).toBe(200);
      expect(r.body.transcript_format).toBe(f);
      return r.body.transcript;
    };
    expect(await get('text-timestamped')).toBe('[00:00] John Smith: Hello world.\n[00:02] Speaker 1: Hi there.\n[61:01] Speaker 1: How are you?');
    expect(await get('webvtt-named')).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v John Smith>Hello world.\n\n00:00:02.000 --> 00:00:03.000\n<v Speaker 1>Hi there.\n\n' +
        '01:01:01.000 --> 01:01:04.000\n<v Speaker 1>How are you?\n',
    );
    expect(await get('json')).toEqual([
      { speaker: 0, speaker_name: 'John Smith', text: 'Hello world.', start: 0, end: 2 },
      { speaker: 1, speaker_name: 'Speaker 1', text: 'Hi there.', start: 2, end: 3 },
      { speaker: 1, speaker_name: 'Speaker 1', text: 'How are you?', start: 3661, end: 3664 },
    ]);
    expect(await get('srt')).toBe(
      '1\n00:00:00,000 --> 00:00:02,000\nJohn Smith: Hello world.\n\n2\n00:00:02,000 --> 00:00:03,000\nSpeaker 1: Hi there.\n\n' +
        '3\n01:01:01,000 --> 01:01:04,000\nSpeaker 1: How are you?\n',
    );
    expect(await get('markdown')).toBe(
      '# Formats\n\n## Greetings [00:00]\n\n**John Smith** [00:00]: Hello world.\n\n**Speaker 1** [00:02]: Hi there.\n\n' +
        '## Question [61:01]\n\n**Speaker 1** [61:01]: How are you?\n',
    );
    expect((await call('GET', `/v1/transcripts/${id}?transcript_format=docx`)).status).toBe(422);
  });

  test('empty transcript: "" for text formats and [] for json', async () => {
    const empty = (await create({ name: 'empty' })).id;
    for (const f of ['text', 'text-timestamped', 'srt']) expect((await call('GET', `/v1/transcripts/${empty}?transcript_format=${f}`)).body.transcript).toBe('');
    expect((await call('GET', `/v1/transcripts/${empty}?transcript_format=json`)).body.transcript).toEqual([]);
    expect((await call('GET', `/v1/transcripts/${empty}?transcript_format=webvtt-named`)).body.transcript).toBe('WEBVTT');
  });

  test('multitrack transcripts group each speaker into sentences', async () => {
    const recordingId = randomUUID();
    await platform.ctx.database.query(
      "INSERT INTO recording (id, bucket_name, object_key, track_keys) VALUES ($1, 'b', 'tracks/', $2::jsonb)",
      [recordingId, JSON.stringify(['tracks/a.webm', 'tracks/b.webm'])],
    );
    const row = await createTranscript(platform.ctx, { name: 'multitrack', source_kind: 'room' });
    await platform.ctx.database.query('UPDATE transcript SET recording_id = $2 WHERE id = $1', [row.id, recordingId]);
    await setParticipants(platform.ctx, row.id, [
      { id: 'a', speaker: 0, name: 'Alice', user_id: null },
      { id: 'b', speaker: 1, name: 'Bob', user_id: null },
    ]);
    const words = [word('Hello ', 0, 0.5, 0), word("I'm ", 0.5, 0.8, 1), word('there.', 0.5, 1, 0), word('good.', 1, 1.5, 1)];
    await setTopics(platform.ctx, row.id, [{ title: 'T', summary: 'S', timestamp: 0, words }]);
    const r = await call('GET', `/v1/transcripts/${row.id}?transcript_format=webvtt-named`);
    expect(r.body.transcript).toBe("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<v Alice>Hello there.\n\n00:00:00.500 --> 00:00:01.500\n<v Bob>I'm good.\n");
    const topics = await call('GET', `/v1/transcripts/${row.id}/topics`);
    expect(topics.body[0].segments).toEqual([
      { text: 'Hello there.', start: 0, speaker: 0 },
      { text: "I'm good.", start: 0.5, speaker: 1 },
    ]);
  });
});

describe('stored WebVTT and search text', () => {
  test('written with topics, not at creation; empty topics give the header only', async () => {
    const id = (await create({ name: 'vtt' })).id;
    const column = async () =>
      (await platform.ctx.database.query<{ webvtt: string | null; transcript_text: string | null }>('SELECT webvtt, transcript_text FROM transcript WHERE id = $1', [id]))[0];
    expect(await column()).toEqual({ webvtt: null, transcript_text: null });
    await setTopics(platform.ctx, id, sampleTopics());
    expect(await column()).toEqual({
      webvtt:
        'WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Speaker0>Hello world.\n\n00:00:02.000 --> 00:00:03.000\n<v Speaker1>Hi there.\n\n' +
        '01:01:01.000 --> 01:01:04.000\n<v Speaker1>How are you?\n',
      transcript_text: 'Hello world. Hi there.\nHow are you?',
    });
    await setTopics(platform.ctx, id, []);
    expect(await column()).toEqual({ webvtt: 'WEBVTT', transcript_text: '' });
  });
});

describe('topics', () => {
  test('segments, durations, words, words per speaker', async () => {
    const id = (await create({ name: 'topics' })).id;
    await setTopics(platform.ctx, id, sampleTopics());
    const topics = await call('GET', `/v1/transcripts/${id}/topics`);
    expect(topics.status).toBe(200);
    expect(topics.body).toHaveLength(2);
    expect(topics.body[0]).toEqual({
      id: 'topic-1',
      title: 'Greetings',
      summary: 'They say hello.',
      timestamp: 0,
      duration: 3,
      transcript: 'Hello world. Hi there.',
      translation: null,
      segments: [
        { text: 'Hello world.', start: 0, speaker: 0 },
        { text: 'Hi there.', start: 2, speaker: 1 },
      ],
    });
    const withWords = await call('GET', `/v1/transcripts/${id}/topics/with-words`);
    expect(withWords.body[1].words).toEqual([word('How', 3661, 3662, 1), word(' are', 3662, 3663, 1), word(' you?', 3663, 3664, 1)]);
    const perSpeaker = await call('GET', `/v1/transcripts/${id}/topics/topic-1/words-per-speaker`);
    expect(perSpeaker.body.words_per_speaker.map((r: any) => [r.speaker, r.words.length])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    const missing = await call('GET', `/v1/transcripts/${id}/topics/nope/words-per-speaker`);
    expect(missing).toMatchObject({ status: 404, body: { detail: 'Topic not found' } });
  });
});

describe('editing without a user', () => {
  test('PATCH and DELETE answer 401; bad values 422 naming the field', async () => {
    const id = (await create()).id;
    expect((await call('PATCH', `/v1/transcripts/${id}`, { name: 'y' })).status).toBe(401);
    expect((await call('DELETE', `/v1/transcripts/${id}`)).status).toBe(401);
    const bad = await call('PATCH', `/v1/transcripts/${id}`, { share_mode: 'everyone' });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0]).toMatchObject({ loc: ['body', 'share_mode'], field: 'share_mode' });
    expect((await call('PATCH', `/v1/transcripts/${id}`, { locked: 'yes' })).status).toBe(422);
    expect((await call('PATCH', `/v1/transcripts/${id}`, '{bad json')).status).toBe(422);
    expect((await call('GET', `/v1/transcripts/${id}`)).body.name).toBe('x');
  });

  test('participant and speaker changes answer 401', async () => {
    const id = (await create()).id;
    expect((await call('POST', `/v1/transcripts/${id}/participants`, { name: 'A' })).status).toBe(401);
    expect((await call('PATCH', `/v1/transcripts/${id}/participants/x`, { name: 'A' })).status).toBe(401);
    expect((await call('DELETE', `/v1/transcripts/${id}/participants/x`)).status).toBe(401);
    expect((await call('PATCH', `/v1/transcripts/${id}/speaker/assign`, { speaker: 1, timestamp_from: 0, timestamp_to: 1 })).status).toBe(401);
    expect((await call('PATCH', `/v1/transcripts/${id}/speaker/merge`, { speaker_from: 0, speaker_to: 1 })).status).toBe(401);
  });
});

describe('unknown ids', () => {
  const routes: Array<[string, (id: string) => string, unknown?]> = [
    ['GET', (id) => `/v1/transcripts/${id}`],
    ['PATCH', (id) => `/v1/transcripts/${id}`, { name: 'x' }],
    ['DELETE', (id) => `/v1/transcripts/${id}`],
    ['GET', (id) => `/v1/transcripts/${id}/topics`],
    ['GET', (id) => `/v1/transcripts/${id}/topics/with-words`],
    ['GET', (id) => `/v1/transcripts/${id}/topics/t/words-per-speaker`],
    ['GET', (id) => `/v1/transcripts/${id}/participants`],
    ['POST', (id) => `/v1/transcripts/${id}/participants`, { name: 'x' }],
    ['GET', (id) => `/v1/transcripts/${id}/participants/p`],
    ['PATCH', (id) => `/v1/transcripts/${id}/participants/p`, { name: 'x' }],
    ['DELETE', (id) => `/v1/transcripts/${id}/participants/p`],
    ['PATCH', (id) => `/v1/transcripts/${id}/speaker/assign`, { speaker: 0, timestamp_from: 0, timestamp_to: 1 }],
    ['PATCH', (id) => `/v1/transcripts/${id}/speaker/merge`, { speaker_from: 0, speaker_to: 1 }],
  ];

  test('404 "Transcript not found" on every route, for UUIDs and for anything else', async () => {
    for (const id of [randomUUID(), ...NOT_UUID_IDS.map(encodeURIComponent)]) {
      for (const [method, path, body] of routes) {
        const r = await call(method, path(id), body);
        expect(r.status, `${method} ${path(id)}`).toBe(404);
        expect(r.body).toEqual({ detail: 'Transcript not found' });
      }
    }
  });
});

describe('OpenAPI', () => {
  test('every transcript operation is typed and has a unique v1_ id', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    const ops: Array<{ operationId: string }> = Object.values(doc.paths as Record<string, Record<string, any>>).flatMap((p) => Object.values(p));
    const ids = ops.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [
      'v1_transcripts_list',
      'v1_transcripts_create',
      'v1_transcript_get',
      'v1_transcript_update',
      'v1_transcript_delete',
      'v1_transcript_get_topics',
      'v1_transcript_get_topics_with_words',
      'v1_transcript_get_topics_with_words_per_speaker',
      'v1_transcript_get_participants',
      'v1_transcript_add_participant',
      'v1_transcript_get_participant',
      'v1_transcript_update_participant',
      'v1_transcript_delete_participant',
      'v1_transcript_assign_speaker',
      'v1_transcript_merge_speaker',
    ]) {
      expect(ids).toContain(id);
    }
    const get = doc.paths['/v1/transcripts/{id}'].get;
    const variants = get.responses['200'].content['application/json'].schema.oneOf;
    expect(variants.map((v: any) => v.properties.transcript_format.enum[0]).sort()).toEqual(['json', 'markdown', 'srt', 'text', 'text-timestamped', 'webvtt-named']);
    expect(doc.paths['/v1/transcripts/{id}'].patch.requestBody.content['application/json'].schema.properties.share_mode.enum).toEqual([
      'private',
      'semi-private',
      'public',
    ]);
  });
});
