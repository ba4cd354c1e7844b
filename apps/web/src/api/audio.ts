// Where a media element fetches a transcript's recording from. An <audio> element cannot send the
// Authorization header, so with a session the URL carries a short-lived audio token from the server
// (POST /v1/transcripts/{id}/audio/token); without one the plain URL serves what anyone may hear.
import { api, apiUrl, unwrap } from './client.ts';
import { getToken } from './session.ts';

export interface AudioSource {
  url: string;
  /** When the URL stops working (ms since the epoch, on this browser's clock); null when it does not. */
  expiresAt: number | null;
}

/** Renew this long before the token runs out, so a request in flight does not arrive just after. */
const MARGIN_MS = 60_000;

export function audioPath(id: string): string {
  return `/v1/transcripts/${encodeURIComponent(id)}/audio/mp3`;
}

// Sources already obtained (or being obtained), per transcript and session: a player mounted again, or the
// correction page after the transcript page, reuses a URL that still has time left.
const known = new Map<string, Promise<AudioSource>>();

export function fetchAudioSource(id: string): Promise<AudioSource> {
  const session = getToken();
  const plain = apiUrl(audioPath(id));
  if (!session) return Promise.resolve({ url: plain, expiresAt: null });
  const key = `${session}\n${id}`;
  const cached = known.get(key);
  if (cached) {
    return cached.then((s) => {
      if (!isStale(s)) return s;
      if (known.get(key) === cached) known.delete(key);
      return fetchAudioSource(id);
    });
  }
  const issued = Date.now();
  const pending = unwrap(api.POST('/v1/transcripts/{id}/audio/token', { params: { path: { id } } })).then(
    (r): AudioSource => ({ url: `${plain}?token=${encodeURIComponent(r.token)}`, expiresAt: issued + r.expires_in * 1000 }),
  );
  known.set(key, pending);
  pending.catch(() => {
    if (known.get(key) === pending) known.delete(key);
  });
  return pending;
}

/** True when the source's token has run out or is about to. */
export function isStale(source: AudioSource, now = Date.now()): boolean {
  return source.expiresAt !== null && now >= source.expiresAt - MARGIN_MS;
}

/** Milliseconds until the source should be renewed; null when it never needs to be. */
export function renewIn(source: AudioSource, now = Date.now()): number | null {
  return source.expiresAt === null ? null : Math.max(0, source.expiresAt - MARGIN_MS - now);
}
