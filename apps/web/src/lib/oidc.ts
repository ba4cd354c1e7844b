// The browser's half of the OIDC authorization-code flow with PKCE (RFC 7636): the authorize URL with an
// S256 challenge, state and nonce; the verifier, state and where to go afterwards wait in sessionStorage
// until the provider sends the person back to /auth/callback.
import type { AuthConfig } from '../api/auth.ts';

const KEY = 'reflector.oidc';

export interface PendingSignIn {
  state: string;
  verifier: string;
  nonce: string;
  redirectUri: string;
  next: string;
}

const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

function random(bytes = 32): string {
  const a = new Uint8Array(bytes);
  crypto.getRandomValues(a);
  return b64url(a);
}

export function redirectUri(): string {
  return `${window.location.origin}/auth/callback`;
}

/** Sends the browser to the provider's sign-in page. */
export async function beginSignIn(oidc: NonNullable<AuthConfig['oidc']>, next: string): Promise<void> {
  if (!oidc.authorization_endpoint) throw new Error('The identity provider cannot be reached; try again later.');
  const pending: PendingSignIn = { state: random(16), verifier: random(32), nonce: random(16), redirectUri: redirectUri(), next };
  const challenge = b64url(await sha256(new TextEncoder().encode(pending.verifier)));
  sessionStorage.setItem(KEY, JSON.stringify(pending));
  const url = new URL(oidc.authorization_endpoint);
  const params = {
    response_type: 'code',
    client_id: oidc.client_id,
    redirect_uri: pending.redirectUri,
    scope: oidc.scope,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  window.location.assign(url.toString());
}

/** The sign-in this browser started with `state`, once: a second call (or another state) gets null. */
export function takePendingSignIn(state: string | null): PendingSignIn | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw || !state) return null;
  const pending = JSON.parse(raw) as PendingSignIn;
  if (pending.state !== state) return null;
  sessionStorage.removeItem(KEY);
  return pending;
}

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  // crypto.subtle exists only in secure contexts (https, localhost); a plain-http address needs the fallback.
  if (globalThis.crypto?.subtle) return new Uint8Array(await crypto.subtle.digest('SHA-256', data as BufferSource));
  return sha256Fallback(data);
}

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** SHA-256 (FIPS 180-4) for short inputs such as a PKCE verifier. */
export function sha256Fallback(data: Uint8Array): Uint8Array {
  const len = data.length;
  const padded = new Uint8Array(Math.ceil((len + 9) / 64) * 64);
  padded.set(data);
  padded[len] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor((len * 8) / 2 ** 32));
  view.setUint32(padded.length - 4, (len * 8) >>> 0);
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
      const t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  h.forEach((v, i) => outView.setUint32(i * 4, v));
  return out;
}
