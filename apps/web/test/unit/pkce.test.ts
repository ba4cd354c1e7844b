import { describe, expect, it } from 'vitest';
import { sha256Fallback } from '../../src/lib/oidc.ts';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

describe('SHA-256 for PKCE without crypto.subtle', () => {
  it('matches Web Crypto at every padding boundary and for verifier-sized inputs', async () => {
    for (const n of [0, 1, 3, 43, 55, 56, 63, 64, 65, 119, 128, 200]) {
      const data = crypto.getRandomValues(new Uint8Array(n));
      const expected = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
      expect(hex(sha256Fallback(data))).toBe(hex(expected));
    }
    expect(hex(sha256Fallback(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
