// A WebSocket client for tests that records every message and how the connection ended.
import WebSocket from 'ws';

export interface RecordedSocket {
  ws: WebSocket;
  messages: Array<{ event: string; data: any }>;
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves once a message satisfies `pred` (checked against messages already received too). */
  until(pred: (m: { event: string; data: any }) => boolean, timeoutMs?: number): Promise<void>;
}

export function connect(url: string, protocols?: string[]): RecordedSocket {
  const ws = new WebSocket(url, protocols);
  const messages: RecordedSocket['messages'] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (raw) => {
    messages.push(JSON.parse(raw.toString()));
    for (const w of [...waiters]) w();
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  opened.catch(() => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const until = (pred: (m: { event: string; data: any }) => boolean, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (messages.some(pred)) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching message within ${timeoutMs} ms; got ${messages.map((m) => m.event).join(', ') || 'nothing'}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { ws, messages, opened, closed, until };
}

export const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, 'ws');
