// What the web app needs to sign people in: the public sign-in settings, and the OIDC code and refresh
// exchanges (the client secret stays on the server).
import { decodeJwt } from 'jose';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OidcClient, type OidcTokens } from '../auth/oidc.ts';
import type { UserInfo } from '../auth/policy.ts';
import { HttpError } from '../errors.ts';
import { errorResponses } from './error-responses.ts';

/** Scopes the web app asks for: identity, the email the server needs, and a refresh token. */
export const OIDC_SCOPE = 'openid email profile offline_access';

const AuthConfigOut = z.object({
  auth_backend: z.enum(['none', 'password', 'jwt']),
  require_login: z.boolean().describe('the web app asks for sign-in before showing any page'),
  provider: z.enum(['credentials', 'authentik']).nullable().describe('how people sign in to the web app; null when they cannot'),
  oidc: z
    .object({
      issuer: z.string(),
      client_id: z.string(),
      authorization_endpoint: z.string().nullable().describe('null while the identity provider cannot be reached'),
      scope: z.string(),
    })
    .nullable(),
});

const SessionOut = z.object({
  access_token: z.string().describe('send as Authorization: Bearer'),
  token_type: z.literal('bearer'),
  expires_in: z.number().describe('seconds until access_token expires'),
  refresh_token: z.string().nullable(),
  user: z.object({ sub: z.string(), email: z.string().nullable() }),
});

export const signInRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx, authenticator } = app;
  const oidc = ctx.config.authProvider === 'authentik' ? new OidcClient(ctx.config) : null;
  const requireOidc = () => {
    if (!oidc) throw new HttpError(400, 'OIDC sign-in is not enabled on this server (AUTH_PROVIDER=authentik)');
    return oidc;
  };

  /** The bearer the web app keeps: the access token when the server accepts it, else the ID token. */
  async function session(tokens: OidcTokens, nonce?: string): Promise<z.infer<typeof SessionOut>> {
    if (nonce !== undefined) {
      let claimed: unknown;
      try {
        claimed = tokens.id_token ? decodeJwt(tokens.id_token).nonce : undefined;
      } catch {
        claimed = undefined;
      }
      if (claimed !== nonce) throw new HttpError(400, 'The identity provider answered for another sign-in (nonce mismatch); start the sign-in again');
    }
    const candidates = [tokens.access_token, tokens.id_token].filter((t): t is string => !!t);
    let user: UserInfo | null = null;
    let bearer = '';
    let refusal: unknown;
    for (const token of candidates) {
      try {
        user = await authenticator.fromToken(token);
        bearer = token;
        break;
      } catch (err) {
        if (err instanceof HttpError && err.statusCode !== 401) throw err;
        refusal = err;
      }
    }
    if (!user) {
      const why = refusal instanceof HttpError ? String(refusal.detail) : 'Invalid authentication';
      throw new HttpError(401, `The identity provider's token was not accepted (${why}); check AUTH_JWT_AUDIENCE and that the provider includes the email scope`);
    }
    let expiresIn = tokens.expires_in;
    if (typeof expiresIn !== 'number') {
      const exp = decodeJwt(bearer).exp;
      expiresIn = typeof exp === 'number' ? Math.max(0, exp - Math.floor(Date.now() / 1000)) : 300;
    }
    return { access_token: bearer, token_type: 'bearer', expires_in: expiresIn, refresh_token: tokens.refresh_token ?? null, user };
  }

  app.get(
    '/v1/auth/config',
    {
      schema: {
        tags: ['auth'],
        operationId: 'v1_auth_config',
        summary: 'How the web app signs people in (public)',
        response: { 200: AuthConfigOut },
      },
    },
    async () => {
      const { config } = ctx;
      let authorizationEndpoint: string | null = null;
      if (oidc) {
        try {
          authorizationEndpoint = (await oidc.discover()).authorization_endpoint;
        } catch (err) {
          ctx.log.warn({ err: (err as Error).message }, 'OIDC discovery failed');
        }
      }
      return {
        auth_backend: config.AUTH_BACKEND,
        require_login: config.requireLogin,
        provider: config.authProvider,
        oidc: oidc ? { issuer: oidc.issuer, client_id: oidc.clientId, authorization_endpoint: authorizationEndpoint, scope: OIDC_SCOPE } : null,
      };
    },
  );

  app.post(
    '/v1/auth/oidc/token',
    {
      schema: {
        tags: ['auth'],
        operationId: 'v1_oidc_token',
        summary: 'Exchange an OIDC authorization code (with its PKCE verifier) for a session',
        body: z.object({
          code: z.string().min(1).max(4096),
          code_verifier: z.string().regex(/^[A-Za-z0-9._~-]{43,128}$/, 'must be 43 to 128 characters of A-Z a-z 0-9 . _ ~ -'),
          redirect_uri: z.url(),
          nonce: z.string().min(1).max(512).optional().describe('the nonce of the authorization request; checked against the ID token'),
        }),
        response: { 200: SessionOut, ...errorResponses(400, 401, 503) },
      },
    },
    async (request) => {
      const client = requireOidc();
      const { code, code_verifier, redirect_uri, nonce } = request.body;
      return session(await client.exchangeCode(code, code_verifier, redirect_uri), nonce);
    },
  );

  app.post(
    '/v1/auth/oidc/refresh',
    {
      schema: {
        tags: ['auth'],
        operationId: 'v1_oidc_refresh',
        summary: 'A new session for an OIDC refresh token',
        body: z.object({ refresh_token: z.string().min(1).max(8192) }),
        response: { 200: SessionOut, ...errorResponses(400, 401, 503) },
      },
    },
    async (request) => {
      const client = requireOidc();
      const tokens = await client.refresh(request.body.refresh_token);
      // Providers that do not rotate refresh tokens answer without one: the old one stays valid.
      return session({ ...tokens, refresh_token: tokens.refresh_token ?? request.body.refresh_token });
    },
  );
};
