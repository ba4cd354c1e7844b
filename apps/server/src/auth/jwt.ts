// Verification of RS256 tokens from an identity provider (AUTH_BACKEND=jwt): a PEM public key file, a
// JWKS URL, or an OIDC issuer whose discovery document names the JWKS.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRemoteJWKSet, importSPKI, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type KeyObject } from 'jose';
import type { Config } from '../config.ts';

export type ExternalVerifier = (token: string) => Promise<JWTPayload>;

export function createExternalVerifier(config: Config): ExternalVerifier {
  const algorithms = [config.AUTH_JWT_ALGORITHM];
  const audience = config.AUTH_JWT_AUDIENCE;
  let keyPromise: Promise<KeyObject | JWTVerifyGetKey | Uint8Array> | null = null;
  const issuer = config.AUTH_JWT_ISSUER ?? config.AUTHENTIK_ISSUER;

  const resolveKey = async (): Promise<KeyObject | JWTVerifyGetKey | Uint8Array> => {
    if (config.AUTH_JWT_PUBLIC_KEY) {
      const file = path.resolve(config.AUTH_JWT_PUBLIC_KEY);
      return importSPKI(readFileSync(file, 'utf8'), config.AUTH_JWT_ALGORITHM);
    }
    if (config.AUTH_JWT_JWKS_URL) return createRemoteJWKSet(new URL(config.AUTH_JWT_JWKS_URL));
    if (issuer) {
      const discovery = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
      const res = await fetch(discovery, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`OIDC discovery failed: ${discovery} answered ${res.status}`);
      const doc = (await res.json()) as { jwks_uri?: string };
      if (!doc.jwks_uri) throw new Error(`OIDC discovery document ${discovery} has no jwks_uri`);
      return createRemoteJWKSet(new URL(doc.jwks_uri));
    }
    throw new Error('AUTH_BACKEND=jwt needs AUTH_JWT_PUBLIC_KEY, AUTH_JWT_JWKS_URL or AUTH_JWT_ISSUER');
  };

  return async (token) => {
    keyPromise ??= resolveKey().catch((err) => {
      keyPromise = null; // try again on the next request
      throw err;
    });
    const key = await keyPromise;
    const options = { algorithms, ...(audience ? { audience } : {}) };
    const { payload } =
      typeof key === 'function' ? await jwtVerify(token, key as JWTVerifyGetKey, options) : await jwtVerify(token, key as KeyObject, options);
    return payload;
  };
}
