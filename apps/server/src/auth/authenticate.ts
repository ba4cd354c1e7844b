// Who is calling: resolves the request's credentials (Bearer token, WebSocket "bearer" subprotocol,
// X-API-Key) to a user according to AUTH_BACKEND. Runs once per request, before the routes.
import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { userApiKeys } from '../db/schema.ts';
import { HttpError } from '../errors.ts';
import { hashApiKey } from './api-keys.ts';
import { createExternalVerifier, type ExternalVerifier } from './jwt.ts';
import type { UserInfo } from './policy.ts';
import { verifyHsToken } from './tokens.ts';
import { findUserById, userForExternalSubject } from './users.ts';

const invalid = (detail = 'Invalid authentication') => new HttpError(401, detail, { 'www-authenticate': 'Bearer' });

/** The bearer token of a request: Authorization header, or ["bearer", token] WebSocket subprotocols. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    return m ? m[1].trim() : null;
  }
  const protocols = request.headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    const parts = protocols.split(',').map((p) => p.trim());
    const i = parts.findIndex((p) => p.toLowerCase() === 'bearer');
    if (i >= 0 && parts[i + 1]) return parts[i + 1];
  }
  return null;
}

export class Authenticator {
  private external: ExternalVerifier | null = null;

  constructor(private readonly ctx: AppContext) {
    if (ctx.config.AUTH_BACKEND === 'jwt') this.external = createExternalVerifier(ctx.config);
  }

  async authenticate(request: FastifyRequest): Promise<UserInfo | null> {
    const { config } = this.ctx;
    if (config.AUTH_BACKEND === 'none') return null;
    const token = bearerToken(request);
    const apiKey = request.headers['x-api-key'];
    const fromToken = token ? await this.fromToken(token) : null;
    const fromKey = typeof apiKey === 'string' && apiKey ? await this.fromApiKey(apiKey) : null;
    if (fromToken && fromKey && fromToken.sub !== fromKey.sub) throw invalid('Invalid authentication: more than one user provided');
    return fromToken ?? fromKey;
  }

  /** Verifies a bearer token; throws 401 when it is present but not valid. */
  async fromToken(token: string): Promise<UserInfo> {
    const { config, database } = this.ctx;
    if (config.AUTH_BACKEND === 'password') {
      const r = await verifyHsToken(config.SECRET_KEY, token, 'session');
      if (!r.ok) throw invalid(r.reason === 'expired' ? 'Token expired' : 'Invalid authentication');
      const user = await findUserById(database, r.sub);
      if (!user) throw invalid();
      return { sub: user.id, email: user.email };
    }
    let payload;
    try {
      payload = await this.external!(token);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED') throw invalid('Token expired');
      if (code?.startsWith('ERR_J')) throw invalid();
      this.ctx.log.error({ err }, 'token verification unavailable');
      throw new HttpError(503, 'Token verification is unavailable');
    }
    if (typeof payload.sub !== 'string' || !payload.sub) throw invalid();
    if (typeof payload.email !== 'string' || !payload.email) throw invalid('Invalid authentication: the token has no email');
    const user = await userForExternalSubject(database, payload.sub, payload.email);
    return { sub: user.id, email: user.email };
  }

  /**
   * An unknown (deleted, mistyped) key is a 401 like a bad token: answering it as an anonymous caller
   * would let a script with a revoked key keep reading public data without noticing.
   */
  private async fromApiKey(key: string): Promise<UserInfo> {
    const hash = hashApiKey(key, this.ctx.config.SECRET_KEY);
    const [row] = await this.ctx.database.db.select({ userId: userApiKeys.userId }).from(userApiKeys).where(eq(userApiKeys.keyHash, hash)).limit(1);
    const user = row ? await findUserById(this.ctx.database, row.userId) : null;
    if (!user) throw invalid('Invalid API key');
    return { sub: user.id, email: null };
  }
}
