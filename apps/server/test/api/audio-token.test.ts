// Private audio by URL: POST /v1/transcripts/{id}/audio/token hands out a short-lived `?token=` that opens
// the mp3 and waveform of one transcript for clients that cannot send Authorization (an <audio> element).
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AUDIO_TOKEN_TTL_SECONDS, signAudioToken } from '../../src/auth/tokens.ts';
import { audioKey, waveformKey } from '../../src/transcripts/files.ts';
import { api, startTestPlatform, TEST_MODE, type TestPlatform } from './harness.ts';
import { createUser, type TestUser } from './transcript-fixtures.ts';

const MP3 = Buffer.from('ID3' + 'x'.repeat(997)); // stored bytes are served as they are
const decode = (jwt: string, part: 0 | 1) => JSON.parse(Buffer.from(jwt.split('.')[part], 'base64url').toString());

describe(`audio tokens (${TEST_MODE})`, () => {
  let p: TestPlatform;
  let owner: TestUser;
  let other: TestUser;
  const as = (user: TestUser | null, method: string, path: string, body?: unknown) => api(p.url, method, path, body, user?.auth ?? {});

  async function transcript(shareMode: 'private' | 'semi-private' | 'public' = 'private') {
    const t = (await as(owner, 'POST', '/v1/transcripts', { name: `audio ${shareMode}` })).body;
    if (shareMode !== 'private') expect((await as(owner, 'PATCH', `/v1/transcripts/${t.id}`, { share_mode: shareMode })).status).toBe(200);
    await p.ctx.storage.put(audioKey(t.id), MP3);
    await p.ctx.storage.put(waveformKey(t.id), Buffer.from('[0.25,0.5,1]'));
    return t.id as string;
  }
  const mint = async (user: TestUser | null, id: string) => as(user, 'POST', `/v1/transcripts/${id}/audio/token`);
  const mp3 = (id: string, token?: string, init: RequestInit = {}) =>
    fetch(`${p.url}/v1/transcripts/${id}/audio/mp3${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`, init);

  beforeAll(async () => {
    p = await startTestPlatform({ workers: 0, env: { AUTH_BACKEND: 'password', PUBLIC_MODE: 'false' } });
    owner = await createUser(p.ctx);
    other = await createUser(p.ctx);
  });
  afterAll(async () => p?.stop());

  test('the owner gets a 15-minute HS256 token bound to the transcript, and a URL that plays without credentials', async () => {
    const id = await transcript();
    const before = Date.now();
    const r = await mint(owner, id);
    expect(r.status).toBe(200);
    const { token, url, expires_at } = r.body;
    expect(decode(token, 0).alg).toBe('HS256');
    const claims = decode(token, 1);
    expect(claims).toMatchObject({ typ: 'audio', tid: id, sub: owner.id });
    expect(claims.exp * 1000 - before).toBeGreaterThan((AUDIO_TOKEN_TTL_SECONDS - 5) * 1000);
    expect(claims.exp * 1000 - before).toBeLessThanOrEqual((AUDIO_TOKEN_TTL_SECONDS + 1) * 1000);
    expect(new Date(expires_at).getTime()).toBe(claims.exp * 1000);
    expect(r.body.expires_in).toBe(AUDIO_TOKEN_TTL_SECONDS);
    expect(url).toBe(`${p.url}/v1/transcripts/${id}/audio/mp3?token=${token}`);

    // Acceptance item 61: anonymous 403, a valid token 200, an invalid one 401.
    expect((await mp3(id)).status).toBe(403);
    const played = await fetch(url);
    expect(played.status).toBe(200);
    expect(played.headers.get('content-type')).toBe('audio/mpeg');
    expect(Buffer.from(await played.arrayBuffer())).toEqual(MP3);
    const ranged = await mp3(id, token, { headers: { range: 'bytes=0-9' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 0-9/${MP3.length}`);
    const head = await mp3(id, token, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(MP3.length));
    const wave = await api(p.url, 'GET', `/v1/transcripts/${id}/audio/waveform?token=${encodeURIComponent(token)}`);
    expect(wave.status).toBe(200);
    expect(wave.body).toEqual({ data: [0.25, 0.5, 1] });
    expect((await api(p.url, 'GET', `/v1/transcripts/${id}/audio/waveform`)).status).toBe(403);
    expect((await mp3(id, token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'))).status).toBe(401);
  });

  test('refuses bad, expired, foreign and misused tokens with 401, whatever else the request carries', async () => {
    const id = await transcript();
    const elsewhere = await transcript();
    const { token } = (await mint(owner, id)).body;
    const secret = p.env.SECRET_KEY;
    const cases: [string, string, string][] = [
      ['garbage', 'not-a-jwt', 'Invalid audio token'],
      ['empty', '', 'Invalid audio token'],
      ['tampered signature', token.slice(0, -3) + (token.endsWith('abc') ? 'xyz' : 'abc'), 'Invalid audio token'],
      ['expired', (await signAudioToken(secret, id, owner.id, -30)).token, 'Audio token expired'],
      ['another transcript', (await mint(owner, elsewhere)).body.token, 'Invalid audio token'],
      ['another secret', (await signAudioToken('some other secret', id, owner.id)).token, 'Invalid audio token'],
      ['a session token', owner.auth.authorization.slice('Bearer '.length), 'Invalid audio token'],
      [
        'no expiry',
        await new SignJWT({ typ: 'audio', tid: id }).setProtectedHeader({ alg: 'HS256' }).setSubject(owner.id).sign(new TextEncoder().encode(secret)),
        'Invalid audio token',
      ],
    ];
    for (const [what, bad, detail] of cases) {
      const r = await mp3(id, bad);
      expect(r.status, what).toBe(401);
      expect(((await r.json()) as { detail: string }).detail, what).toBe(detail);
      // The owner's own credentials do not rescue a bad token.
      expect((await mp3(id, bad, { headers: owner.auth })).status, `${what} with Authorization`).toBe(401);
      expect((await mp3(id, bad, { method: 'HEAD' })).status, `${what} HEAD`).toBe(401);
      expect((await api(p.url, 'GET', `/v1/transcripts/${id}/audio/waveform?token=${encodeURIComponent(bad)}`)).status, `${what} waveform`).toBe(401);
    }
    // An audio token is no session token.
    expect((await api(p.url, 'GET', `/v1/transcripts/${id}`, undefined, { authorization: `Bearer ${token}` })).status).toBe(401);
  });

  test('only people who may read the transcript get a token; without one the usual answers stay', async () => {
    const id = await transcript();
    expect((await mint(null, id)).status).toBe(403);
    expect((await mint(other, id)).status).toBe(403);
    expect((await mint(owner, '00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await mp3('00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await mp3(id, undefined, { headers: other.auth })).status).toBe(403);
    expect((await mp3(id, undefined, { headers: owner.auth })).status).toBe(200);
  });

  test("a token carries its holder's rights: making the transcript private closes it at once", async () => {
    const id = await transcript('semi-private');
    const r = await mint(other, id);
    expect(r.status).toBe(200);
    expect(decode(r.body.token, 1).sub).toBe(other.id);
    expect((await fetch(r.body.url)).status).toBe(200);
    expect((await as(owner, 'PATCH', `/v1/transcripts/${id}`, { share_mode: 'private' })).status).toBe(200);
    expect((await fetch(r.body.url)).status).toBe(403);
    // The owner's token keeps working.
    expect((await fetch((await mint(owner, id)).body.url)).status).toBe(200);
  });

  test('anonymous holders of a public transcript get a token without identity; deleted audio stays deleted', async () => {
    const id = await transcript('public');
    const r = await mint(null, id);
    expect(r.status).toBe(200);
    expect(decode(r.body.token, 1).sub).toBeUndefined();
    expect((await fetch(r.body.url)).status).toBe(200);
    expect((await as(owner, 'PATCH', `/v1/transcripts/${id}`, { audio_deleted: true })).status).toBe(200);
    const gone = await fetch(r.body.url);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { detail: string }).detail).toBe('Audio unavailable due to privacy settings');
  });
});
