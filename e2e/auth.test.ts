// Signing in to the web app in a real browser: the /login page with email and password (wrong password,
// too many attempts, sign out, an expired or refused session), and the OIDC authorization-code flow with
// PKCE against a local OpenID Connect provider, including the silent refresh of a refused token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSessionToken } from '../apps/server/src/auth/tokens.ts';
import { startFakeOidc, type FakeOidc } from '../apps/server/test/support/fake-oidc.ts';
import { openBrowser, shot, type TestBrowser } from './support/browser.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, type TestServer } from './support/server.ts';

const TOKEN_KEY = 'reflector.token';

/** The same token with its signature changed: well-formed, not yet expired, refused by the server. */
const tamper = (token: string) => token.slice(0, -6) + (token.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');

describe('password sign-in', () => {
  let server: TestServer;
  let browser: TestBrowser;
  const page = () => browser.page;

  beforeAll(async () => {
    server = await startServer({ PUBLIC_MODE: 'false', FEATURE_REQUIRE_LOGIN: 'true' });
    browser = await openBrowser();
    page().on('pageerror', (err) => console.error('page error:', err.message));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const signIn = async (password = ADMIN_PASSWORD) => {
    const p = page();
    await p.getByLabel('Email').fill(ADMIN_EMAIL);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
  };

  it('sends a visitor to /login and back to the page they asked for after signing in', async () => {
    const p = page();
    await p.goto(`${server.url}/browse?q=budget`);
    await p.waitForURL(/\/login\?next=%2Fbrowse%3Fq%3Dbudget$/);
    await p.getByRole('heading', { name: 'Sign in' }).waitFor();
    // Nothing behind the sign-in is offered before it.
    expect(await p.getByRole('navigation', { name: 'Main' }).getByRole('link').count()).toBe(0);
    await shot(p, 'auth-01-login');

    await signIn('not the password');
    const alert = p.getByRole('alert');
    await alert.getByText('Wrong email or password.').waitFor();
    await shot(p, 'auth-02-wrong-password');

    await signIn();
    await p.waitForURL(/\/browse\?q=budget$/);
    await p.getByRole('heading', { name: 'Transcripts' }).waitFor();
    await p.getByRole('button', { name: ADMIN_EMAIL }).waitFor();
    expect(await p.getByRole('navigation', { name: 'Main' }).getByRole('link').count()).toBeGreaterThan(0);
    await shot(p, 'auth-03-signed-in');
  });

  it('offers API keys and sign-out in the account menu', async () => {
    const p = page();
    await p.getByRole('button', { name: ADMIN_EMAIL }).click();
    const menu = p.getByRole('menu', { name: 'Account' });
    expect(await menu.getByRole('menuitem', { name: 'API keys' }).getAttribute('href')).toBe('/settings/api-keys');
    await shot(p, 'auth-04-account-menu');
    await menu.getByRole('menuitem', { name: 'Sign out' }).click();
    await p.waitForURL(/\/login\?next=%2Fbrowse%3Fq%3Dbudget$/);
    expect(await p.evaluate((k) => localStorage.getItem(k), TOKEN_KEY)).toBeNull();
    await expect.poll(() => p.getByRole('status').filter({ hasText: 'session expired' }).count()).toBe(0);
  });

  it('sends a person whose token has expired to /login with a notice', async () => {
    const p = page();
    await signIn();
    await p.waitForURL(/\/browse/);
    const token = (await p.evaluate((k) => localStorage.getItem(k), TOKEN_KEY))!;
    const sub = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub as string;
    const expired = await signSessionToken(server.platform.ctx.config.SECRET_KEY, { id: sub, email: ADMIN_EMAIL }, -60);
    await p.evaluate(([k, t]) => localStorage.setItem(k, t), [TOKEN_KEY, expired]);
    await p.goto(`${server.url}/transcripts/new`);
    await p.waitForURL(/\/login\?next=%2Ftranscripts%2Fnew&expired=1$/);
    await p.getByRole('status').getByText('Your session expired. Sign in again to continue.').waitFor();
    await shot(p, 'auth-05-session-expired');
    // The tab remembers why: the next page load without a session still says so.
    await p.goto(`${server.url}/transcripts/new`);
    await p.waitForURL(/\/login\?next=%2Ftranscripts%2Fnew&expired=1$/);
    await signIn();
    await p.waitForURL(/\/transcripts\/new$/);
  });

  it('ends the session when the server refuses its token, even one not yet expired', async () => {
    const p = page();
    const token = (await p.evaluate((k) => localStorage.getItem(k), TOKEN_KEY))!;
    await p.evaluate(([k, t]) => localStorage.setItem(k, t), [TOKEN_KEY, tamper(token)]);
    // Not expired by its own claim: the page loads, and its requests get a 401.
    await p.goto(`${server.url}/browse?q=refused`);
    await p.waitForURL(/\/login\?next=%2Fbrowse%3Fq%3Drefused&expired=1$/);
    await p.getByRole('status').getByText('Your session expired. Sign in again to continue.').waitFor();
    expect(await p.evaluate((k) => localStorage.getItem(k), TOKEN_KEY)).toBeNull();
  });

  it('explains in words when too many failed attempts block the address', async () => {
    const p = page();
    // The server allows 10 failures per address in 5 minutes; the browser shares 127.0.0.1 with this test.
    for (let i = 0; i < 10; i++) {
      await fetch(`${server.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: ADMIN_EMAIL, password: `wrong-${i}` }),
      });
    }
    await signIn();
    await p.getByRole('alert').getByText('Too many failed sign-in attempts from this address. Try again in 5 minutes.').waitFor();
    expect(p.url()).toMatch(/\/login\?/);
    await shot(p, 'auth-06-too-many-attempts');
  });
});

describe('OIDC sign-in', () => {
  const CLIENT_ID = 'reflector-e2e';
  const CLIENT_SECRET = 'e2e-client-secret';
  let idp: FakeOidc;
  let server: TestServer;
  let browser: TestBrowser;
  const page = () => browser.page;

  beforeAll(async () => {
    idp = await startFakeOidc({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, user: { sub: 'ak-7f3a', email: 'dana@example.org' } });
    server = await startServer({
      AUTH_BACKEND: 'jwt',
      PUBLIC_MODE: 'false',
      FEATURE_REQUIRE_LOGIN: 'true',
      AUTH_PROVIDER: 'authentik',
      AUTHENTIK_ISSUER: idp.issuer,
      AUTHENTIK_CLIENT_ID: CLIENT_ID,
      AUTHENTIK_CLIENT_SECRET: CLIENT_SECRET,
      AUTH_JWT_AUDIENCE: CLIENT_ID,
    });
    browser = await openBrowser();
    page().on('pageerror', (err) => console.error('page error:', err.message));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await idp?.close();
  });

  it('signs in through the provider with PKCE and comes back to the page asked for', async () => {
    const p = page();
    await p.goto(`${server.url}/browse`);
    await p.waitForURL(/\/login\?next=%2Fbrowse$/);
    const button = p.getByRole('button', { name: 'Sign in with Authentik' });
    await button.waitFor();
    await shot(p, 'auth-07-oidc-login');
    await button.click();
    await p.waitForURL(/\/browse$/);
    await p.getByRole('heading', { name: 'Transcripts' }).waitFor();
    await p.getByRole('button', { name: 'dana@example.org' }).waitFor();
    const authorize = idp.requests.find((r) => r.startsWith('GET /application/o/reflector/authorize?'))!;
    const q = new URL(authorize.slice(4), 'http://x').searchParams;
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('redirect_uri')).toBe(`${server.url}/auth/callback`);
    expect(q.get('state')).toBeTruthy();
    expect(q.get('nonce')).toBeTruthy();
    // The verifier and state are gone once used; the secret never reached the browser.
    expect(await p.evaluate(() => sessionStorage.getItem('reflector.oidc'))).toBeNull();
    expect(await p.evaluate(() => JSON.stringify(localStorage))).not.toContain(CLIENT_SECRET);
    await shot(p, 'auth-08-oidc-signed-in');
  });

  it('refreshes a refused token once and carries on', async () => {
    const p = page();
    const token = (await p.evaluate((k) => localStorage.getItem(k), TOKEN_KEY))!;
    const refreshesBefore = idp.requests.filter((r) => r.startsWith('POST /application/o/reflector/token')).length;
    await p.evaluate(([k, t]) => localStorage.setItem(k, t), [TOKEN_KEY, tamper(token)]);
    await p.goto(`${server.url}/browse?q=renewed`);
    await p.getByRole('heading', { name: 'Transcripts' }).waitFor();
    await expect.poll(() => idp.requests.filter((r) => r.startsWith('POST /application/o/reflector/token')).length).toBe(refreshesBefore + 1);
    const renewed = await p.evaluate((k) => localStorage.getItem(k), TOKEN_KEY);
    expect(renewed).toBeTruthy();
    expect(renewed).not.toBe(tamper(token));
    expect(p.url()).toMatch(/\/browse\?q=renewed$/);
    await p.getByRole('button', { name: 'dana@example.org' }).waitFor();
  });

  it('sends the person to /login with a notice when the refresh is refused too', async () => {
    const p = page();
    idp.revokeRefreshTokens();
    const token = (await p.evaluate((k) => localStorage.getItem(k), TOKEN_KEY))!;
    await p.evaluate(([k, t]) => localStorage.setItem(k, t), [TOKEN_KEY, tamper(token)]);
    await p.goto(`${server.url}/browse?q=revoked`);
    await p.waitForURL(/\/login\?next=%2Fbrowse%3Fq%3Drevoked&expired=1$/);
    await p.getByRole('status').getByText('Your session expired. Sign in again to continue.').waitFor();
    // Signing in again goes straight through the provider (its own session is still open).
    await p.getByRole('button', { name: 'Sign in with Authentik' }).click();
    await p.waitForURL(/\/browse\?q=revoked$/);
    await p.getByRole('button', { name: 'dana@example.org' }).waitFor();
  });
});
