// Shared plumbing of the HTTP clients: URL joining, Bearer auth, timeouts and readable errors.
import { SpeechError } from '../types.ts';

export interface RemoteOptions {
  /** Base URL of the service, e.g. http://gpu-box:8000 */
  url: string;
  /** Sent as `Authorization: Bearer <apiKey>` when set. */
  apiKey?: string;
  /** Whole-request timeout in milliseconds. */
  timeoutMs?: number;
}

export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

export function authHeaders(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

function combinedSignal(timeoutMs: number | undefined, signal: AbortSignal | undefined): AbortSignal | undefined {
  const signals: AbortSignal[] = [];
  if (timeoutMs && timeoutMs > 0) signals.push(AbortSignal.timeout(timeoutMs));
  if (signal) signals.push(signal);
  if (signals.length === 0) return undefined;
  return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
}

/** Extracts a human message from a FastAPI-style `{detail}` body, an OpenAI-style `{error:{message}}`, or raw text. */
export function errorDetail(body: string): string {
  const text = body.trim();
  if (!text) return '';
  try {
    const json = JSON.parse(text) as any;
    if (typeof json?.detail === 'string') return json.detail;
    if (Array.isArray(json?.detail)) {
      return json.detail.map((d: any) => (typeof d?.msg === 'string' ? `${(d.loc ?? []).join('.')}: ${d.msg}` : JSON.stringify(d))).join('; ');
    }
    if (typeof json?.error?.message === 'string') return json.error.message;
    if (typeof json?.error === 'string') return json.error;
    if (typeof json?.message === 'string') return json.message;
  } catch {}
  return text.slice(0, 500);
}

/**
 * fetch + JSON with the failure modes spelled out: the service name, the path, the HTTP status and the
 * service's own reason. 4xx answers become 'bad_input' (the request was wrong), everything else 'unavailable'
 * or 'engine'.
 */
export async function requestJson<T>(
  service: string,
  url: string,
  init: RequestInit & { timeoutMs?: number; signal?: AbortSignal },
): Promise<T> {
  const { timeoutMs, signal, ...rest } = init;
  const where = `${service} ${rest.method ?? 'GET'} ${safeUrl(url)}`;
  let res: Response;
  try {
    res = await fetch(url, { ...rest, signal: combinedSignal(timeoutMs, signal) });
  } catch (err) {
    const e = err as Error & { cause?: Error & { code?: string } };
    if (e.name === 'TimeoutError') throw new SpeechError(`${where}: no answer within ${Math.round((timeoutMs ?? 0) / 1000)} s`, 'unavailable');
    if (e.name === 'AbortError') throw new SpeechError(`${where}: aborted`, 'engine');
    const cause = e.cause?.code ?? e.cause?.message ?? e.message;
    throw new SpeechError(`${where}: cannot reach the service (${cause})`, 'unavailable');
  }
  const body = await res.text();
  if (!res.ok) {
    const detail = errorDetail(body) || res.statusText;
    const kind = res.status === 401 || res.status === 403 ? 'unavailable' : res.status < 500 ? 'bad_input' : 'engine';
    const hint = res.status === 401 || res.status === 403 ? ' (check the API key)' : '';
    throw Object.assign(new SpeechError(`${where} failed: HTTP ${res.status} ${detail}${hint}`, kind), { status: res.status, detail });
  }
  try {
    return JSON.parse(body) as T;
  } catch {
    throw new SpeechError(`${where}: the answer is not JSON (${body.slice(0, 200)})`, 'engine');
  }
}

/** The URL without credentials or query, for messages (query strings may carry signed tokens). */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url;
  }
}

export function finiteNumber(value: unknown, what: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new SpeechError(`${what} is not a number: ${JSON.stringify(value)}`, 'engine');
  return n;
}
