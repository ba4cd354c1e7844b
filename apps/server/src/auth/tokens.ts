// Tokens the server signs itself with SECRET_KEY (HS256): session tokens from password login (24 h) and
// short-lived audio tokens, passed as `?token=` where no Authorization header can be sent (an <audio>
// element, another service fetching the recording).
import { jwtVerify, SignJWT, errors as joseErrors, type JWTPayload } from 'jose';

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

export const AUDIO_TOKEN_TTL_SECONDS = 15 * 60;

/**
 * An audio token opens the recording (mp3, waveform) of one transcript, `tid`, for its lifetime. It
 * carries the identity of whoever obtained it (`sub`, absent for anonymous callers), and the read rule
 * is checked against that identity on every use, so making a transcript private takes effect at once.
 */
export async function signAudioToken(secret: string, transcriptId: string, userId: string | null, ttlSeconds = AUDIO_TOKEN_TTL_SECONDS) {
  const jwt = new SignJWT({ typ: 'audio', tid: transcriptId }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' });
  if (userId) jwt.setSubject(userId);
  const expiresAt = Math.floor(Date.now() / 1000) + ttlSeconds;
  return { token: await jwt.setExpirationTime(expiresAt).sign(key(secret)), expiresAt: new Date(expiresAt * 1000) };
}

export type AudioTokenResult = { ok: true; sub: string | null } | { ok: false; reason: 'expired' | 'invalid' };

/** Checks an audio token for the transcript `transcriptId`; a token of another transcript is invalid. */
export async function verifyAudioToken(secret: string, token: string, transcriptId: string): Promise<AudioTokenResult> {
  const r = await verifyHs(secret, token, ['exp']);
  if (!r.ok) return r;
  const { payload } = r;
  if (payload.typ !== 'audio' || payload.tid !== transcriptId) return { ok: false, reason: 'invalid' };
  return { ok: true, sub: typeof payload.sub === 'string' && payload.sub ? payload.sub : null };
}

export type VerifyResult = { ok: true; sub: string; email: string | null; typ: string } | { ok: false; reason: 'expired' | 'invalid' };

/** Checks a session token. */
export async function verifyHsToken(secret: string, token: string, typ: 'session'): Promise<VerifyResult> {
  const r = await verifyHs(secret, token);
  if (!r.ok) return r;
  const { payload } = r;
  if (payload.typ !== typ || typeof payload.sub !== 'string') return { ok: false, reason: 'invalid' };
  return { ok: true, sub: payload.sub, email: typeof payload.email === 'string' ? payload.email : null, typ };
}

/** The payload of a token this server signed, or why it is refused. */
async function verifyHs(secret: string, token: string, requiredClaims?: string[]): Promise<{ ok: true; payload: JWTPayload } | { ok: false; reason: 'expired' | 'invalid' }> {
  try {
    return { ok: true, payload: (await jwtVerify(token, key(secret), { algorithms: ['HS256'], requiredClaims })).payload };
  } catch (err) {
    return { ok: false, reason: err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
  }
}
