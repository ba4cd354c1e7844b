import { describe, expect, it } from 'vitest';
import { AUDIO_TOKEN_TTL_SECONDS, signAudioToken, signSessionToken, verifyAudioToken, verifyHsToken } from '../../src/auth/tokens.ts';

const SECRET = 'unit-secret';

describe('audio tokens', () => {
  it('open one transcript, carry the holder, and expire after 15 minutes', async () => {
    const before = Date.now();
    const { token, expiresAt } = await signAudioToken(SECRET, 't-1', 'user-1');
    expect(AUDIO_TOKEN_TTL_SECONDS).toBe(900);
    expect(expiresAt.getTime() - before).toBeGreaterThan(899_000 - 1000);
    expect(expiresAt.getTime() - before).toBeLessThanOrEqual(900_000);
    expect(await verifyAudioToken(SECRET, token, 't-1')).toEqual({ ok: true, sub: 'user-1' });
    expect(await verifyAudioToken(SECRET, token, 't-2')).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifyAudioToken('another secret', token, 't-1')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('may have no holder, and say when they have expired', async () => {
    const anon = await signAudioToken(SECRET, 't-1', null);
    expect(await verifyAudioToken(SECRET, anon.token, 't-1')).toEqual({ ok: true, sub: null });
    const old = await signAudioToken(SECRET, 't-1', 'user-1', -5);
    expect(await verifyAudioToken(SECRET, old.token, 't-1')).toEqual({ ok: false, reason: 'expired' });
  });

  it('are no session tokens, and session tokens are no audio tokens', async () => {
    const audio = await signAudioToken(SECRET, 't-1', 'user-1');
    expect(await verifyHsToken(SECRET, audio.token, 'session')).toEqual({ ok: false, reason: 'invalid' });
    const session = await signSessionToken(SECRET, { id: 'user-1', email: null });
    expect(await verifyAudioToken(SECRET, session, 't-1')).toEqual({ ok: false, reason: 'invalid' });
  });
});
