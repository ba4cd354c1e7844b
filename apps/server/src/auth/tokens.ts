// Tokens the server signs itself with SECRET_KEY (HS256): session tokens from password login (24 h) and
// short-lived audio tokens that let another service fetch a transcript's audio.
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';

export const SESSION_TTL_SECONDS = 24 * 3600;
const key = (secret: string) => new TextEncoder().encode(secret);

export async function signSessionToken(secret: string, user: { id: string; email: string | null }, ttlSeconds = SESSION_TTL_SECONDS) {
  return new SignJWT({ email: user.email ?? undefined, typ: 'session' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key(secret));
}

export async function signAudioToken(secret: string, subject: string, ttlSeconds = 15 * 60) {
  return new SignJWT({ typ: 'audio' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key(secret));
}

export type VerifyResult = { ok: true; sub: string; email: string | null; typ: string } | { ok: false; reason: 'expired' | 'invalid' };

export async function verifyHsToken(secret: string, token: string, typ: 'session' | 'audio'): Promise<VerifyResult> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: ['HS256'] });
    if (payload.typ !== typ || typeof payload.sub !== 'string') return { ok: false, reason: 'invalid' };
    return { ok: true, sub: payload.sub, email: typeof payload.email === 'string' ? payload.email : null, typ };
  } catch (err) {
    return { ok: false, reason: err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
  }
}
