// Transcript WebSocket: reconnects with exponential backoff (1 s doubling to 30 s, with jitter) until the
// page no longer needs it; refusals (unknown transcript, access denied) are final.
import { apiUrl } from './client.ts';
import { getToken, sessionExpired } from './session.ts';
import type { TranscriptEvent } from './types.ts';

export type SocketState = 'connecting' | 'open' | 'retrying' | 'refused';
const FINAL_CLOSE_CODES = new Set([4401, 4403, 4404]);

export interface SocketOptions {
  onEvent(event: TranscriptEvent): void;
  onState?(state: SocketState, detail?: string): void;
  /** Called after a reconnection so callers can refetch what they may have missed. */
  onReconnect?(): void;
}

export function wsUrl(path: string): string {
  return apiUrl(path).replace(/^http/, 'ws');
}

export function backoffDelay(attempt: number): number {
  const base = Math.min(30_000, 1000 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

export function openEventSocket(path: string, opts: SocketOptions): () => void {
  let socket: WebSocket | null = null;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let everOpened = false;

  const connect = () => {
    if (stopped) return;
    opts.onState?.(attempt === 0 ? 'connecting' : 'retrying');
    const token = getToken();
    socket = token ? new WebSocket(wsUrl(path), ['bearer', token]) : new WebSocket(wsUrl(path));
    socket.onopen = () => {
      if (everOpened) opts.onReconnect?.();
      everOpened = true;
      attempt = 0;
      opts.onState?.('open');
    };
    socket.onmessage = (msg) => {
      try {
        opts.onEvent(JSON.parse(String(msg.data)) as TranscriptEvent);
      } catch {
        // a message that is not JSON is not an event; keep listening
      }
    };
    socket.onclose = (ev) => {
      socket = null;
      if (stopped) return;
      if (FINAL_CLOSE_CODES.has(ev.code)) {
        // A token the server no longer accepts ends the session, as a 401 does.
        if (ev.code === 4401 && token && getToken() === token) sessionExpired();
        opts.onState?.('refused', ev.reason || (ev.code === 4404 ? 'Transcript not found' : 'Access denied'));
        return;
      }
      const delay = backoffDelay(attempt++);
      opts.onState?.('retrying', `Reconnecting in ${Math.round(delay / 1000)} s`);
      timer = setTimeout(connect, delay);
    };
  };
  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    socket?.close();
  };
}
