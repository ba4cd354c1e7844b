// The server side of the web app's OIDC sign-in (AUTH_PROVIDER=authentik): the provider's discovery
// document, and the authorization-code and refresh-token grants, sent with the client secret so that it
// never reaches the browser.
import type { Config } from '../config.ts';
import { HttpError } from '../errors.ts';

export interface OidcDiscovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

/** The provider's token response (RFC 6749 section 5.1, OpenID Connect Core 3.1.3.3). */
export interface OidcTokens {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
}

const TIMEOUT_MS = 10_000;
const unavailable = (detail: string) => new HttpError(503, detail);

export class OidcClient {
  private discovery: Promise<OidcDiscovery> | null = null;

  constructor(private readonly config: Config) {}

  get issuer(): string {
    return this.config.oidcIssuer!;
  }

  get clientId(): string {
    return this.config.AUTHENTIK_CLIENT_ID!;
  }

  /** The discovery document, fetched once; a failure is retried on the next call. */
  discover(): Promise<OidcDiscovery> {
    this.discovery ??= this.fetchDiscovery().catch((err) => {
      this.discovery = null;
      throw err;
    });
    return this.discovery;
  }

  private async fetchDiscovery(): Promise<OidcDiscovery> {
    const url = `${this.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw unavailable(`The identity provider cannot be reached (${url}: ${(err as Error).message})`);
    }
    if (!res.ok) throw unavailable(`The identity provider's discovery document ${url} answered ${res.status}`);
    const doc = (await res.json().catch(() => ({}))) as Partial<OidcDiscovery>;
    if (!doc.authorization_endpoint || !doc.token_endpoint) {
      throw unavailable(`The identity provider's discovery document ${url} has no authorization_endpoint or token_endpoint`);
    }
    return doc as OidcDiscovery;
  }

  /** Exchanges an authorization code (with its PKCE verifier) for tokens. */
  async exchangeCode(code: string, codeVerifier: string, redirectUri: string): Promise<OidcTokens> {
    const { token_endpoint } = await this.discover();
    return this.grant(token_endpoint, { grant_type: 'authorization_code', code, code_verifier: codeVerifier, redirect_uri: redirectUri }, 'code');
  }

  /** New tokens for a refresh token, from AUTHENTIK_REFRESH_TOKEN_URL or the discovered token endpoint. */
  async refresh(refreshToken: string): Promise<OidcTokens> {
    const endpoint = this.config.AUTHENTIK_REFRESH_TOKEN_URL ?? (await this.discover()).token_endpoint;
    return this.grant(endpoint, { grant_type: 'refresh_token', refresh_token: refreshToken }, 'refresh');
  }

  private async grant(endpoint: string, params: Record<string, string>, kind: 'code' | 'refresh'): Promise<OidcTokens> {
    const body = new URLSearchParams(params);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const secret = this.config.AUTHENTIK_CLIENT_SECRET;
    if (secret) {
      // client_secret_basic: both parts form-encoded before base64 (RFC 6749 section 2.3.1).
      const pair = `${encodeURIComponent(this.clientId)}:${encodeURIComponent(secret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else {
      body.set('client_id', this.clientId);
    }
    let res: Response;
    try {
      res = await fetch(endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw unavailable(`The identity provider cannot be reached (${endpoint}: ${(err as Error).message})`);
    }
    const json = (await res.json().catch(() => null)) as (Partial<OidcTokens> & { error?: string; error_description?: string }) | null;
    if (!res.ok || !json?.access_token) {
      const error = json?.error ?? `status ${res.status}`;
      const why = json?.error_description ? `${error}: ${json.error_description}` : error;
      if (error === 'invalid_client' || error === 'unauthorized_client') {
        throw unavailable(`The identity provider refused this server's client credentials (${why}); check AUTHENTIK_CLIENT_ID and AUTHENTIK_CLIENT_SECRET`);
      }
      if (kind === 'refresh') throw new HttpError(401, `The session can no longer be refreshed (${why}); sign in again`);
      if (res.status >= 500 || !json) throw unavailable(`The identity provider failed to answer the sign-in (${why})`);
      throw new HttpError(400, `The identity provider refused the sign-in (${why}); start the sign-in again`);
    }
    return json as OidcTokens;
  }
}
