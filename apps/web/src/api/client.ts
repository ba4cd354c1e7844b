// The typed API client. Request and response types come from schema.d.ts, generated from the server's
// OpenAPI document (`npm run gen:api`). Same origin by default; VITE_API_URL points a separately hosted
// build (the web container on port 3000) at the API.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { getSessionMeta, getToken, isExpired, sessionExpired, startSession } from './session.ts';

export const API_BASE = (import.meta.env.VITE_API_URL as string | undefined)?.replace(/\/+$/, '') ?? '';

let refreshing: Promise<boolean> | null = null;

/** Renews an OIDC session with its refresh token, one attempt at a time; true when a new token is in place. */
export function refreshSession(): Promise<boolean> {
  const meta = getSessionMeta();
  if (meta?.provider !== 'authentik' || !meta.refresh_token) return Promise.resolve(false);
  refreshing ??= (async () => {
    try {
      const res = await fetch(`${API_BASE}/v1/auth/oidc/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: meta.refresh_token }),
      });
      if (!res.ok) return false;
      const s = (await res.json()) as { access_token: string; refresh_token: string | null; user: { email: string | null } };
      startSession(s.access_token, { provider: 'authentik', email: s.user.email, refresh_token: s.refresh_token });
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

// Requests of a refreshable session are kept so that one refused for an expired token can be sent again.
const replayable = new Map<string, Request>();
const isSignInRoute = (request: Request) => new URL(request.url).pathname.startsWith('/v1/auth/');

// Every request carries the session's token. A token past its expiry is renewed first when it can be, else
// the session ends; a 401 to a request that carried a token ends it too, after one refresh and retry.
const auth: Middleware = {
  async onRequest({ request, id }) {
    let token = getToken();
    if (token && isExpired(token, 30_000)) {
      if (await refreshSession()) token = getToken();
      else if (isExpired(token)) {
        sessionExpired();
        token = null;
      }
    }
    if (token) {
      request.headers.set('Authorization', `Bearer ${token}`);
      if (getSessionMeta()?.refresh_token) replayable.set(id, request.clone());
    }
    return request;
  },
  async onResponse({ request, response, id }) {
    const replay = replayable.get(id);
    replayable.delete(id);
    const sent = request.headers.get('Authorization')?.replace(/^Bearer /, '');
    if (response.status !== 401 || !sent || isSignInRoute(request)) return response;
    if (replay && (getToken() !== sent || (await refreshSession()))) {
      const token = getToken();
      if (token) {
        replay.headers.set('Authorization', `Bearer ${token}`);
        const again = await fetch(replay);
        if (again.status !== 401) return again;
      }
    }
    if (getToken() === sent) sessionExpired();
    return response;
  },
  onError({ id }) {
    replayable.delete(id);
  },
};

export const api = createClient<paths>({ baseUrl: API_BASE || window.location.origin });
api.use(auth);

/** An API refusal, carrying the server's explanation in words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const STATUS_WORDS: Record<number, string> = {
  401: 'You need to sign in to do this.',
  403: 'You are not allowed to do this.',
  404: 'Not found.',
  413: 'The file is too large.',
  422: 'The request was not valid.',
  429: 'Too many attempts; wait a moment and try again.',
  500: 'The server failed; try again later.',
  502: 'The server cannot be reached.',
  503: 'The server is unavailable; try again later.',
};

/** Turns an error body (`{detail}` as a string or a validation list) into one sentence. */
export function describeError(status: number, body: unknown): string {
  const detail = (body as { detail?: unknown } | null)?.detail;
  let text = '';
  if (typeof detail === 'string') text = detail;
  else if (Array.isArray(detail)) {
    text = detail
      .map((d: { msg?: string; field?: string; loc?: unknown[] }) => {
        const field = d.field ?? (Array.isArray(d.loc) ? d.loc.filter((x) => x !== 'body').join('.') : '');
        return field ? `${field}: ${d.msg ?? 'invalid'}` : (d.msg ?? 'invalid');
      })
      .join('; ');
  }
  const general = STATUS_WORDS[status] ?? `The server answered ${status}.`;
  if (!text) return general;
  return status === 401 ? `${text}: ${general.charAt(0).toLowerCase()}${general.slice(1, -1)} (401)` : `${text} (${status})`;
}

/** Unwraps an openapi-fetch result: the data, or an ApiError with the server's words. */
export async function unwrap<T>(promise: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await promise;
  } catch (err) {
    throw new ApiError(0, `Cannot reach the server: ${(err as Error).message}`);
  }
  if (!result.response.ok) throw new ApiError(result.response.status, describeError(result.response.status, result.error));
  return result.data as T;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Absolute URL of an API path, for media elements, downloads and WebSockets. */
export function apiUrl(path: string): string {
  return `${API_BASE || window.location.origin}${path}`;
}
