import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestPlatform, TEST_MODE, type TestPlatform } from './harness.ts';

interface Seed {
  title?: string | null;
  long_summary?: string | null;
  transcript_text?: string | null;
  created_at: string;
  user_id?: string | null;
  share_mode?: string;
  room_id?: string | null;
  source_kind?: string;
}

const padding = 'We went through the agenda item by item and agreed to meet again next week. '.repeat(3);

describe(`transcript search (${TEST_MODE})`, () => {
  let p: TestPlatform;
  const ids: Record<string, string> = {};
  const roomId = randomUUID();

  const seed = async (key: string, s: Seed) => {
    const id = randomUUID();
    ids[key] = id;
    await p.ctx.database.query(
      `INSERT INTO transcript (id, name, title, long_summary, transcript_text, created_at, user_id, share_mode, room_id, source_kind, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'ended')`,
      [id, `seeded ${key}`, s.title ?? null, s.long_summary ?? null, s.transcript_text ?? null, s.created_at, s.user_id ?? null, s.share_mode ?? 'private', s.room_id ?? null, s.source_kind ?? 'file'],
    );
  };

  beforeAll(async () => {
    p = await startTestPlatform({ workers: 0 });
    await p.ctx.database.query(`INSERT INTO room (id, name, user_id) VALUES ($1, 'design-room', 'owner-1')`, [roomId]);
    await seed('titleMatch', { title: 'Budget planning for the autumn', long_summary: 'Numbers were discussed.', transcript_text: padding, created_at: '2024-03-01T10:00:00Z' });
    await seed('textMatch', {
      title: 'Weekly sync',
      long_summary: 'A routine meeting.',
      transcript_text: `${padding} Then Dana said the budget for travel is exhausted. ${padding}`,
      created_at: '2024-03-05T10:00:00Z',
      room_id: roomId,
      source_kind: 'room',
    });
    await seed('summaryMatch', {
      title: 'Quarterly review',
      long_summary: `Hiring freeze announced. ${padding} The hiring plan moves to June. ${padding} Hiring managers must re-plan.`,
      transcript_text: `${padding} we talked about hiring again ${padding} and hiring once more ${padding}`,
      created_at: '2024-04-10T08:00:00+02:00',
    });
    await seed('deletedRoom', { title: 'Retro', transcript_text: 'the zeppelin launch slipped', created_at: '2024-02-01T00:00:00Z', room_id: randomUUID(), source_kind: 'room' });
    await seed('privateOwned', { title: 'Budget secret', created_at: '2024-03-10T00:00:00Z', user_id: 'owner-1', share_mode: 'private' });
    await seed('publicOwned', { title: 'Public budget town hall', created_at: '2024-03-11T00:00:00Z', user_id: 'owner-1', share_mode: 'public' });
  });
  afterAll(async () => p?.stop());
  afterEach(async () => {
    expect((await api(p.url, 'GET', '/health')).status).toBe(200);
  });

  const search = (query: string) => api(p.url, 'GET', `/v1/transcripts/search?${query}`);
  const idsOf = (r: { body: { results: Array<{ id: string }> } }) => r.body.results.map((x) => x.id);

  it('ranks a title match above a transcript-text match', async () => {
    const r = await search('q=budget');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ query: 'budget', limit: 20, offset: 0 });
    const found = idsOf(r);
    expect(found).toContain(ids.titleMatch);
    expect(found).toContain(ids.textMatch);
    expect(found.indexOf(ids.titleMatch)).toBeLessThan(found.indexOf(ids.textMatch));
    const [title, text] = [ids.titleMatch, ids.textMatch].map((id) => r.body.results.find((x: { id: string }) => x.id === id));
    expect(title.rank).toBeGreaterThan(text.rank);
    expect(text.rank).toBeGreaterThan(0);
    expect(title.rank).toBeLessThan(1);
    expect(r.body.total).toBe(r.body.results.length);
  });

  it('returns the documented fields, with snippets from where the words occur', async () => {
    const r = await search('q=budget');
    const text = r.body.results.find((x: { id: string }) => x.id === ids.textMatch);
    expect(Object.keys(text).sort()).toEqual(
      ['change_seq', 'created_at', 'duration', 'id', 'name', 'rank', 'room_id', 'room_name', 'search_snippets', 'source_kind', 'status', 'title', 'total_match_count', 'user_id'].sort(),
    );
    expect(text).toMatchObject({ title: 'Weekly sync', room_id: roomId, room_name: 'design-room', source_kind: 'room', status: 'ended', created_at: '2024-03-05T10:00:00.000Z', total_match_count: 1 });
    expect(typeof text.change_seq).toBe('number');
    expect(text.search_snippets).toHaveLength(1);
    expect(text.search_snippets[0]).toMatch(/^\.\.\..*budget for travel.*\.\.\.$/);
    // A match in the title alone leaves nothing to quote.
    const title = r.body.results.find((x: { id: string }) => x.id === ids.titleMatch);
    expect(title.search_snippets).toEqual([]);
    expect(title.total_match_count).toBe(0);
  });

  it('quotes the long summary first (at most two) and fills up from the transcript text', async () => {
    const r = await search('q=hiring');
    expect(idsOf(r)).toEqual([ids.summaryMatch]);
    const [hit] = r.body.results;
    expect(hit.total_match_count).toBe(5);
    expect(hit.search_snippets).toHaveLength(3);
    expect(hit.search_snippets[0]).toContain('Hiring freeze');
    expect(hit.search_snippets[1]).toContain('hiring plan');
    expect(hit.search_snippets[2]).toContain('talked about hiring');
  });

  it('understands web-search syntax and stems words', async () => {
    expect(idsOf(await search(`q=${encodeURIComponent('"budget planning"')}`))).toEqual([ids.titleMatch]);
    expect(idsOf(await search(`q=${encodeURIComponent('budget -planning -public')}`))).toEqual([ids.textMatch]);
    expect(idsOf(await search('q=budgets'))).toContain(ids.titleMatch);
    expect((await search('q=nothingmatchesthis')).body).toMatchObject({ results: [], total: 0 });
  });

  it('lists everything visible newest first with rank 1 for an empty query', async () => {
    const r = await search('q=');
    expect(r.status).toBe(200);
    const found = idsOf(r);
    expect(found).toEqual([ids.summaryMatch, ids.publicOwned, ids.textMatch, ids.titleMatch, ids.deletedRoom]);
    expect(found).not.toContain(ids.privateOwned);
    expect(r.body.results.every((x: { rank: number; search_snippets: string[] }) => x.rank === 1 && x.search_snippets.length === 0)).toBe(true);
    expect(r.body.total).toBe(5);
  });

  it('shows anonymous callers public transcripts of owners but never private ones', async () => {
    const found = idsOf(await search('q=budget'));
    expect(found).toContain(ids.publicOwned);
    expect(found).not.toContain(ids.privateOwned);
  });

  it('names a deleted room "Deleted Room"', async () => {
    const r = await search('q=zeppelin');
    expect(r.body.results).toHaveLength(1);
    expect(r.body.results[0].room_name).toBe('Deleted Room');
    const noRoom = (await search('q=hiring')).body.results[0];
    expect(noRoom.room_name).toBeNull();
  });

  it('filters by room, source kind and creation time', async () => {
    expect(idsOf(await search(`q=&room_id=${roomId}`))).toEqual([ids.textMatch]);
    expect(idsOf(await search('q=&source_kind=room')).sort()).toEqual([ids.textMatch, ids.deletedRoom].sort());
    const from = encodeURIComponent('2024-03-01T00:00:00Z');
    const to = encodeURIComponent('2024-03-05T12:00:00+02:00');
    expect(idsOf(await search(`q=&from=${from}&to=${to}`))).toEqual([ids.textMatch, ids.titleMatch]);
    // 2024-04-10T08:00+02:00 is 06:00 UTC: the offset is honoured.
    expect(idsOf(await search(`q=&from=${encodeURIComponent('2024-04-10T06:00:00Z')}`))).toEqual([ids.summaryMatch]);
    expect(idsOf(await search(`q=&from=${encodeURIComponent('2024-04-10T06:00:01Z')}`))).toEqual([]);
  });

  it('pages with limit and offset', async () => {
    const page1 = await search('q=&limit=2&offset=0');
    const page2 = await search('q=&limit=2&offset=2');
    expect(page1.body).toMatchObject({ limit: 2, offset: 0, total: 5 });
    expect(page1.body.results).toHaveLength(2);
    expect(page2.body.results).toHaveLength(2);
    expect(idsOf(page1).some((id) => idsOf(page2).includes(id))).toBe(false);
  });

  it('rejects bad parameters: from after to (400), naive datetimes and bad limits (422)', async () => {
    const backwards = await search(`q=&from=${encodeURIComponent('2024-05-01T00:00:00Z')}&to=${encodeURIComponent('2024-04-01T00:00:00Z')}`);
    expect(backwards.status).toBe(400);
    expect(backwards.body).toEqual({ detail: "'from' must be less than or equal to 'to'" });
    const naive = await search('q=&from=2024-05-01T00:00:00');
    expect(naive.status).toBe(422);
    expect(naive.body.detail[0].field).toBe('from');
    const dateOnly = await search('q=&to=2024-05-01');
    expect(dateOnly.status).toBe(422);
    expect(dateOnly.body.detail[0].field).toBe('to');
    for (const [query, field] of [['q=&limit=0', 'limit'], ['q=&limit=101', 'limit'], ['q=&offset=-1', 'offset'], ['limit=5', 'q'], ['q=&source_kind=tape', 'source_kind']]) {
      const r = await search(query);
      expect(r.status, query).toBe(422);
      expect(r.body.detail[0].field, query).toBe(field);
    }
  });
});
