// The web app's sign-in: the public sign-in settings, and the OIDC authorization-code (PKCE) and refresh
// exchanges against a local OpenID Connect provider.
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOidc, pkcePair, type FakeOidc } from '../support/fake-oidc.ts';
import { api, startTestPlatform, TEST_MODE, type TestPlatform } from './harness.ts';

const CLIENT_ID = 'reflector-web';
const CLIENT_SECRET = 'oidc-client-secret-4d1f';
const REDIRECT = 'http://127.0.0.1:9/auth/callback';

describe(`sign-in settings (${TEST_MODE})`, () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform({ workers: 0, env: { AUTH_BACKEND: 'password', FEATURE_REQUIRE_LOGIN: 'false' } });
  });
  afterAll(async () => p?.stop());

  it('tells the web app to offer email and password sign-in, without requiring it when told so', async () => {
    const r = await api(p.url, 'GET', '/v1/auth/config');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ auth_backend: 'password', require_login: false, provider: 'credentials', oidc: null });
  });

  it('refuses the OIDC exchanges when OIDC sign-in is not configured', async () => {
    const { verifier } = pkcePair();
    const r = await api(p.url, 'POST', '/v1/auth/oidc/token', { code: 'x', code_verifier: verifier, redirect_uri: REDIRECT });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/OIDC sign-in is not enabled/);
    const refresh = await api(p.url, 'POST', '/v1/auth/oidc/refresh', { refresh_token: 'x' });
    expect(refresh.status).toBe(400);
  });
});

describe(`OIDC sign-in (${TEST_MODE})`, () => {
  let p: TestPlatform;
  let idp: FakeOidc;

  /** Runs the browser's half: the authorize request, returning the code the provider redirects back with. */
  async function authorize(challenge: string, state: string, nonce: string): Promise<string> {
    const cfg = (await api(p.url, 'GET', '/v1/auth/config')).body;
    const url = new URL(cfg.oidc.authorization_endpoint);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: cfg.oidc.client_id, redirect_uri: REDIRECT, scope: cfg.oidc.scope, state, nonce, code_challenge: challenge, code_challenge_method: 'S256' })) {
      url.searchParams.set(k, v);
    }
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe(state);
    return back.searchParams.get('code')!;
  }

  beforeAll(async () => {
    idp = await startFakeOidc({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    p = await startTestPlatform({
      workers: 0,
      env: {
        AUTH_BACKEND: 'jwt',
        PUBLIC_MODE: 'false',
        AUTHENTIK_ISSUER: idp.issuer,
        AUTHENTIK_CLIENT_ID: CLIENT_ID,
        AUTHENTIK_CLIENT_SECRET: CLIENT_SECRET,
        AUTH_JWT_AUDIENCE: CLIENT_ID,
        AUTHENTIK_REFRESH_TOKEN_URL: `${idp.tokenEndpoint}?via=refresh-url`,
      },
    });
  });
  afterAll(async () => {
    await p?.stop();
    await idp?.close();
  });

  it('publishes the issuer, client id and authorization endpoint, never the secret', async () => {
    const r = await api(p.url, 'GET', '/v1/auth/config');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      auth_backend: 'jwt',
      require_login: true,
      provider: 'authentik',
      oidc: { issuer: idp.issuer, client_id: CLIENT_ID, authorization_endpoint: `${idp.issuer}/authorize`, scope: 'openid email profile offline_access' },
    });
    expect(r.text).not.toContain(CLIENT_SECRET);
  });

  it('exchanges a code with its PKCE verifier for a bearer the API accepts, then refreshes it', async () => {
    const { verifier, challenge } = pkcePair();
    const nonce = randomBytes(12).toString('hex');
    const code = await authorize(challenge, 'state-1', nonce);
    const r = await api(p.url, 'POST', '/v1/auth/oidc/token', { code, code_verifier: verifier, redirect_uri: REDIRECT, nonce });
    expect(r.status).toBe(200);
    expect(r.body.token_type).toBe('bearer');
    expect(r.body.expires_in).toBe(600);
    expect(r.body.refresh_token).toEqual(expect.any(String));
    expect(r.body.user.email).toBe(idp.user.email);
    expect(decodeJwt(r.body.access_token).iss).toBe(idp.issuer);
    // The secret went to the provider as HTTP Basic client authentication, from the server.
    expect(idp.requests).toContain('POST /application/o/reflector/token');
    const me = await api(p.url, 'GET', '/v1/me', undefined, { authorization: `Bearer ${r.body.access_token}` });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ sub: r.body.user.sub, email: idp.user.email });

    const refreshed = await api(p.url, 'POST', '/v1/auth/oidc/refresh', { refresh_token: r.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.user.sub).toBe(r.body.user.sub);
    expect(refreshed.body.refresh_token).not.toBe(r.body.refresh_token);
    expect(idp.requests).toContain('POST /application/o/reflector/token?via=refresh-url');
    const again = await api(p.url, 'GET', '/v1/me', undefined, { authorization: `Bearer ${refreshed.body.access_token}` });
    expect(again.body.sub).toBe(r.body.user.sub);

    // The provider rotated the refresh token: the old one is refused, with words for people.
    const stale = await api(p.url, 'POST', '/v1/auth/oidc/refresh', { refresh_token: r.body.refresh_token });
    expect(stale.status).toBe(401);
    expect(stale.body.detail).toMatch(/^The session can no longer be refreshed \(invalid_grant: .+\); sign in again$/);
  });

  it('refuses a wrong PKCE verifier, a reused code and a nonce of another sign-in', async () => {
    const first = pkcePair();
    const other = pkcePair();
    const code = await authorize(first.challenge, 's', 'n-1');
    const wrong = await api(p.url, 'POST', '/v1/auth/oidc/token', { code, code_verifier: other.verifier, redirect_uri: REDIRECT });
    expect(wrong.status).toBe(400);
    expect(wrong.body.detail).toBe('The identity provider refused the sign-in (invalid_grant: PKCE verification failed); start the sign-in again');
    const reused = await api(p.url, 'POST', '/v1/auth/oidc/token', { code, code_verifier: first.verifier, redirect_uri: REDIRECT });
    expect(reused.status).toBe(400);
    expect(reused.body.detail).toMatch(/already used/);

    const code2 = await authorize(first.challenge, 's', 'n-2');
    const mismatch = await api(p.url, 'POST', '/v1/auth/oidc/token', { code: code2, code_verifier: first.verifier, redirect_uri: REDIRECT, nonce: 'n-other' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.detail).toMatch(/nonce mismatch/);

    const malformed = await api(p.url, 'POST', '/v1/auth/oidc/token', { code: 'c', code_verifier: 'short', redirect_uri: 'not a url' });
    expect(malformed.status).toBe(422);
    expect(malformed.body.detail.map((d: { field: string }) => d.field).sort()).toEqual(['code_verifier', 'redirect_uri']);
  });

  it('says when the provider refuses the client secret', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await authorize(challenge, 's', 'n');
    idp.setClientSecret('rotated-at-the-provider');
    try {
      const r = await api(p.url, 'POST', '/v1/auth/oidc/token', { code, code_verifier: verifier, redirect_uri: REDIRECT });
      expect(r.status).toBe(503);
      expect(r.body.detail).toMatch(/refused this server's client credentials \(invalid_client.*check AUTHENTIK_CLIENT_ID and AUTHENTIK_CLIENT_SECRET/);
    } finally {
      idp.setClientSecret(CLIENT_SECRET);
    }
  });
});
