// Sign-in, tokens, API keys and the user WebSocket (AUTH_BACKEND=password and jwt).
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hashPassword, verifyPassword } from '../../src/auth/password.ts';
import { signSessionToken } from '../../src/auth/tokens.ts';
import { api, startTestPlatform, TEST_MODE, waitFor, type TestPlatform } from './harness.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/reflector.js');
const PASSWORD = 'correct horse battery staple';

function wsOpen(url: string, protocols?: string[]) {
  const ws = new WebSocket(url, protocols);
  const messages: any[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(String(d))));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, closed, opened };
}

describe(`password sign-in (${TEST_MODE})`, () => {
  let p: TestPlatform;
  let token: string;
  beforeAll(async () => {
    p = await startTestPlatform({
      workers: 0,
      env: { AUTH_BACKEND: 'password', PUBLIC_MODE: 'false', ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD_HASH: await hashPassword(PASSWORD) },
    });
  });
  afterAll(async () => p?.stop());

  it('hashes in the pbkdf2:sha256:100000$salt$hash format and verifies in constant time', async () => {
    const h = await hashPassword('s3cret');
    expect(h).toMatch(/^pbkdf2:sha256:100000\$[A-Za-z0-9]{16}\$[0-9a-f]{64}$/);
    expect(await verifyPassword('s3cret', h)).toBe(true);
    expect(await verifyPassword('s3creT', h)).toBe(false);
    expect(await verifyPassword('s3cret', 'garbage')).toBe(false);
  });

  it('signs in the provisioned admin with a 24-hour HS256 token', async () => {
    const r = await api(p.url, 'POST', '/v1/auth/login', { email: 'Admin@Example.com', password: PASSWORD });
    expect(r.status).toBe(200);
    expect(r.body.token_type).toBe('bearer');
    expect(r.body.expires_in).toBe(86400);
    token = r.body.access_token;
    const [header, payload] = token.split('.').slice(0, 2).map((s) => JSON.parse(Buffer.from(s, 'base64url').toString()));
    expect(header.alg).toBe('HS256');
    expect(payload.exp - payload.iat).toBe(86400);
    const me = await api(p.url, 'GET', '/v1/me', undefined, { authorization: `Bearer ${token}` });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ sub: payload.sub, email: 'admin@example.com' });
  });

  it('answers null for /v1/me without credentials and 401 for bad or expired tokens', async () => {
    expect((await api(p.url, 'GET', '/v1/me')).body).toBeNull();
    const tampered = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const bad = await api(p.url, 'GET', '/v1/me', undefined, { authorization: `Bearer ${tampered}` });
    expect(bad.status).toBe(401);
    expect(bad.body.detail).toBe('Invalid authentication');
    const sub = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub;
    const expired = await signSessionToken(p.env.SECRET_KEY, { id: sub, email: null }, -10);
    const r = await api(p.url, 'GET', '/v1/me', undefined, { authorization: `Bearer ${expired}` });
    expect(r.status).toBe(401);
    expect(r.body.detail).toBe('Token expired');
  });

  it('refuses a wrong password without saying which part was wrong', async () => {
    const r = await api(p.url, 'POST', '/v1/auth/login', { email: 'admin@example.com', password: 'nope' }, { 'x-forwarded-for': '203.0.113.9' });
    expect(r.status).toBe(401);
    expect(r.body.detail).toBe('Invalid email or password');
    const unknown = await api(p.url, 'POST', '/v1/auth/login', { email: 'who@example.com', password: 'nope' }, { 'x-forwarded-for': '203.0.113.9' });
    expect(unknown.body.detail).toBe('Invalid email or password');
  });

  it('blocks an IP after 10 failures in 5 minutes, across server processes', async () => {
    const ip = '198.51.100.7';
    let second: { url: string } | null = null;
    let child: ReturnType<typeof spawn> | null = null;
    try {
      if (TEST_MODE === 'distributed') {
        // A second server process sharing the database and Redis: half of the attempts go to it.
        child = spawn(process.execPath, [BIN, 'server'], { env: { ...process.env, ...p.env, PORT: '0', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout!.on('data', (d) => (out += d));
        second = { url: await waitFor(async () => /"url":"(http:[^"]+)"/.exec(out)?.[1], 60_000, 'second server') };
      }
      for (let i = 0; i < 10; i++) {
        const base = second && i % 2 ? second.url : p.url;
        const r = await api(base, 'POST', '/v1/auth/login', { email: 'admin@example.com', password: `wrong-${i}` }, { 'x-forwarded-for': ip });
        expect(r.status).toBe(401);
      }
      for (const base of [p.url, second?.url].filter(Boolean) as string[]) {
        const r = await api(base, 'POST', '/v1/auth/login', { email: 'admin@example.com', password: PASSWORD }, { 'x-forwarded-for': ip });
        expect(r.status).toBe(429);
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(200);
        expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(300);
      }
      // Another IP is not affected.
      const other = await api(p.url, 'POST', '/v1/auth/login', { email: 'admin@example.com', password: PASSWORD }, { 'x-forwarded-for': '198.51.100.8' });
      expect(other.status).toBe(200);
    } finally {
      child?.kill('SIGTERM');
    }
  });

  it('creates, lists, uses and deletes API keys; a key and a token of different users give 401', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const created = await api(p.url, 'POST', '/v1/user/api-keys', { name: 'ci' }, auth);
    expect(created.status).toBe(200);
    expect(created.body.key).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const list = await api(p.url, 'GET', '/v1/user/api-keys', undefined, auth);
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).not.toHaveProperty('key');
    const viaKey = await api(p.url, 'GET', '/v1/me', undefined, { 'x-api-key': created.body.key });
    expect(viaKey.body.sub).toBe(created.body.user_id);
    const stored = await p.ctx.database.query<{ key_hash: string }>('SELECT key_hash FROM user_api_key');
    expect(stored[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0].key_hash).not.toContain(created.body.key);

    const otherHash = await hashPassword('other-password');
    await p.ctx.database.query("INSERT INTO \"user\" (id, email, password_hash) VALUES ('u-other', 'other@example.com', $1)", [otherHash]);
    const otherLogin = await api(p.url, 'POST', '/v1/auth/login', { email: 'other@example.com', password: 'other-password' }, { 'x-forwarded-for': '192.0.2.50' });
    const both = await api(p.url, 'GET', '/v1/me', undefined, { authorization: `Bearer ${otherLogin.body.access_token}`, 'x-api-key': created.body.key });
    expect(both.status).toBe(401);
    expect(both.body.detail).toBe('Invalid authentication: more than one user provided');
    expect(await api(p.url, 'GET', '/v1/me', undefined, { 'x-api-key': 'unknown' })).toMatchObject({ status: 401, body: { detail: 'Invalid API key' } });

    const del = await api(p.url, 'DELETE', `/v1/user/api-keys/${created.body.id}`, undefined, { authorization: `Bearer ${otherLogin.body.access_token}` });
    expect(del.status).toBe(404);
    expect((await api(p.url, 'DELETE', `/v1/user/api-keys/${created.body.id}`, undefined, auth)).body).toEqual({ status: 'ok' });
    expect((await api(p.url, 'GET', '/v1/me', undefined, { 'x-api-key': created.body.key })).status).toBe(401);
    expect((await api(p.url, 'GET', '/v1/user/api-keys')).status).toBe(401);
  });

  it('closes the user WebSocket with 4401 without a valid token, and streams the user events with one', async () => {
    const wsUrl = p.url.replace('http', 'ws') + '/v1/events';
    const none = wsOpen(wsUrl);
    expect((await none.closed).code).toBe(4401);
    const bad = wsOpen(wsUrl, ['bearer', 'not-a-token']);
    expect((await bad.closed).code).toBe(4401);

    const good = wsOpen(wsUrl, ['bearer', token]);
    await good.opened;
    expect(good.ws.protocol).toBe('bearer');
    const created = await api(p.url, 'POST', '/v1/transcripts', { name: 'mine' }, { authorization: `Bearer ${token}` });
    expect(created.status).toBe(200);
    await waitFor(async () => good.messages.find((m) => m.event === 'TRANSCRIPT_CREATED'), 10_000, 'TRANSCRIPT_CREATED');
    expect(good.messages.find((m) => m.event === 'TRANSCRIPT_CREATED').data).toEqual({ id: created.body.id });
    good.ws.close();
  });

  it('re-provisions the admin with a changed hash at start', async () => {
    const { provisionAdmin } = await import('../../src/auth/provision.ts');
    const newHash = await hashPassword('new password');
    await provisionAdmin({ ...p.ctx, config: { ...p.ctx.config, ADMIN_PASSWORD_HASH: newHash } });
    await provisionAdmin({ ...p.ctx, config: { ...p.ctx.config, ADMIN_PASSWORD_HASH: newHash } });
    const rows = await p.ctx.database.query<{ n: number }>("SELECT count(*)::int AS n FROM \"user\" WHERE lower(email) = 'admin@example.com'");
    expect(rows[0].n).toBe(1);
    const r = await api(p.url, 'POST', '/v1/auth/login', { email: 'admin@example.com', password: 'new password' }, { 'x-forwarded-for': '192.0.2.77' });
    expect(r.status).toBe(200);
  });
});

describe(`OIDC tokens (${TEST_MODE})`, () => {
  let p: TestPlatform;
  let jwks: Server;
  let issuer: string;
  let sign: (claims: Record<string, unknown>, opts?: { exp?: number; aud?: string }) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/app/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      else if (req.url === '/app/jwks') res.end(JSON.stringify({ keys: [jwk] }));
      else res.writeHead(404).end('{}');
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/app`;
    sign = (claims, opts = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setAudience(opts.aud ?? 'reflector-client')
        .setIssuedAt()
        .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 600)
        .sign(privateKey);
    p = await startTestPlatform({ workers: 0, env: { AUTH_BACKEND: 'jwt', PUBLIC_MODE: 'false', AUTH_JWT_ISSUER: issuer, AUTH_JWT_AUDIENCE: 'reflector-client' } });
  });
  afterAll(async () => {
    await p?.stop();
    jwks?.close();
  });

  it('creates a user on first sight of a subject and keeps its internal id', async () => {
    const t = await sign({ sub: 'authentik-uid-1', email: 'ann@example.com' });
    const first = await api(p.url, 'GET', '/v1/me', undefined, { authorization: `Bearer ${t}` });
    expect(first.status).toBe(200);
    expect(first.body.email).toBe('ann@example.com');
    expect(first.body.sub).not.toBe('authentik-uid-1');
    const again = await api(p.url, 'GET', '/v1/me', undefined, { authorization: `Bearer ${await sign({ sub: 'authentik-uid-1', email: 'ann@example.com' })}` });
    expect(again.body.sub).toBe(first.body.sub);
  });

  it('rejects a wrong audience, a missing email, an expired token and a password-style token', async () => {
    const cases = [
      await sign({ sub: 'x', email: 'x@example.com' }, { aud: 'someone-else' }),
      await sign({ sub: 'x' }),
      await sign({ sub: 'x', email: 'x@example.com' }, { exp: Math.floor(Date.now() / 1000) - 60 }),
      await signSessionToken(p.env.SECRET_KEY, { id: 'x', email: null }),
    ];
    for (const t of cases) {
      const r = await api(p.url, 'GET', '/v1/me', undefined, { authorization: `Bearer ${t}` });
      expect(r.status).toBe(401);
    }
  });

  it('refuses password sign-in when the backend is jwt', async () => {
    const r = await api(p.url, 'POST', '/v1/auth/login', { email: 'a@b.c', password: 'x' });
    expect(r.status).toBe(400);
  });
});
