// A local OpenID Connect provider for tests, speaking the standard wire format: discovery document, JWKS,
// an authorize endpoint that signs the configured person in at once and redirects back with a code, and
// a token endpoint for the authorization-code (PKCE S256 required) and refresh-token grants with client
// authentication by client_secret_basic or client_secret_post. Keys are generated at start.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface FakeOidcOptions {
  clientId: string;
  clientSecret: string;
  /** The person the authorize endpoint signs in. */
  user?: { sub: string; email: string };
  /** Lifetime of access and ID tokens, seconds (default 600). */
  tokenTtl?: number;
}

export interface FakeOidc {
  /** Issuer URL (discovery at issuer + /.well-known/openid-configuration). */
  issuer: string;
  tokenEndpoint: string;
  user: { sub: string; email: string };
  /** Every request the provider received, as "METHOD /path?query". */
  requests: string[];
  /** Signs an access token as the token endpoint would. */
  sign(claims: Record<string, unknown>, ttl?: number): Promise<string>;
  /** Forgets every refresh token, as a provider does when the person's session is revoked. */
  revokeRefreshTokens(): void;
  /** Changes the client secret the token endpoint expects. */
  setClientSecret(secret: string): void;
  close(): Promise<void>;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce?: string;
  scope: string;
  used: boolean;
}

const b64url = (buf: Buffer) => buf.toString('base64url');

export async function startFakeOidc(opts: FakeOidcOptions): Promise<FakeOidc> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'fake-1', alg: 'RS256', use: 'sig' };
  const user = opts.user ?? { sub: 'oidc-user-1', email: 'oidc.person@example.org' };
  const ttl = opts.tokenTtl ?? 600;
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, { scope: string }>();
  const requests: string[] = [];
  let issuer = '';
  const base = '/application/o/reflector';

  const sign = (claims: Record<string, unknown>, lifetime = ttl) =>
    new SignJWT({ email: user.email, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'fake-1', typ: 'JWT' })
      .setIssuer(issuer)
      .setSubject(user.sub)
      .setAudience(opts.clientId)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + lifetime)
      .sign(privateKey);

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
  };
  const oauthError = (res: ServerResponse, status: number, error: string, description: string) =>
    json(res, status, { error, error_description: description }, status === 401 ? { 'www-authenticate': 'Basic realm="token"' } : {});

  const readForm = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    return new URLSearchParams(text);
  };

  /** client_secret_basic or client_secret_post; returns the client id, or null when authentication fails. */
  const authenticateClient = (req: IncomingMessage, form: URLSearchParams): string | null => {
    const header = req.headers.authorization;
    if (header?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(header.slice(6), 'base64').toString().split(':').map(decodeURIComponent);
      return id === opts.clientId && secret === opts.clientSecret ? id : null;
    }
    const id = form.get('client_id');
    return id === opts.clientId && form.get('client_secret') === opts.clientSecret ? id : null;
  };

  const issueTokens = async (res: ServerResponse, scope: string, nonce?: string) => {
    const refresh = b64url(randomBytes(24));
    refreshTokens.set(refresh, { scope });
    json(res, 200, {
      access_token: await sign({ scope }),
      token_type: 'Bearer',
      expires_in: ttl,
      refresh_token: refresh,
      id_token: await sign(nonce ? { nonce } : {}),
      scope,
    });
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    try {
      if (req.method === 'GET' && url.pathname === `${base}/.well-known/openid-configuration`) {
        return json(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          scopes_supported: ['openid', 'email', 'profile', 'offline_access'],
          grant_types_supported: ['authorization_code', 'refresh_token'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        });
      }
      if (req.method === 'GET' && url.pathname === `${base}/jwks`) return json(res, 200, { keys: [jwk] });
      if (req.method === 'GET' && url.pathname === `${base}/authorize`) {
        const q = url.searchParams;
        const redirectUri = q.get('redirect_uri');
        if (q.get('client_id') !== opts.clientId || !redirectUri) return json(res, 400, { error: 'invalid_request', error_description: 'unknown client or no redirect_uri' });
        const back = new URL(redirectUri);
        const state = q.get('state');
        if (state) back.searchParams.set('state', state);
        const fail = (error: string) => {
          back.searchParams.set('error', error);
          res.writeHead(302, { location: back.toString() }).end();
        };
        if (q.get('response_type') !== 'code') return fail('unsupported_response_type');
        if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) return fail('invalid_request');
        if (!(q.get('scope') ?? '').split(' ').includes('openid')) return fail('invalid_scope');
        const code = b64url(randomBytes(24));
        codes.set(code, { clientId: opts.clientId, redirectUri, challenge: q.get('code_challenge')!, nonce: q.get('nonce') ?? undefined, scope: q.get('scope')!, used: false });
        back.searchParams.set('code', code);
        res.writeHead(302, { location: back.toString() }).end();
        return;
      }
      if (req.method === 'POST' && url.pathname === `${base}/token`) {
        if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
          return oauthError(res, 400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
        }
        const form = await readForm(req);
        if (!authenticateClient(req, form)) return oauthError(res, 401, 'invalid_client', 'client authentication failed');
        const grant = form.get('grant_type');
        if (grant === 'authorization_code') {
          const pending = codes.get(form.get('code') ?? '');
          if (!pending || pending.used) return oauthError(res, 400, 'invalid_grant', 'the authorization code is unknown or was already used');
          pending.used = true;
          if (pending.redirectUri !== form.get('redirect_uri')) return oauthError(res, 400, 'invalid_grant', 'redirect_uri does not match the authorization request');
          const verifier = form.get('code_verifier') ?? '';
          if (b64url(createHash('sha256').update(verifier).digest()) !== pending.challenge) {
            return oauthError(res, 400, 'invalid_grant', 'PKCE verification failed');
          }
          return issueTokens(res, pending.scope, pending.nonce);
        }
        if (grant === 'refresh_token') {
          const old = form.get('refresh_token') ?? '';
          const known = refreshTokens.get(old);
          if (!known) return oauthError(res, 400, 'invalid_grant', 'the refresh token is not valid');
          refreshTokens.delete(old); // rotation
          return issueTokens(res, known.scope);
        }
        return oauthError(res, 400, 'unsupported_grant_type', `grant_type ${grant ?? '(none)'} is not supported`);
      }
      json(res, 404, { error: 'not_found' });
    } catch (err) {
      json(res, 500, { error: 'server_error', error_description: (err as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${base}`;
  return {
    issuer,
    tokenEndpoint: `${issuer}/token`,
    user,
    requests,
    sign,
    revokeRefreshTokens: () => refreshTokens.clear(),
    setClientSecret: (secret) => {
      opts.clientSecret = secret;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A PKCE verifier and its S256 challenge (RFC 7636). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = b64url(randomBytes(32));
  return { verifier, challenge: b64url(createHash('sha256').update(verifier).digest()) };
}
