// The signed-in session: its bearer token (which every request and WebSocket carries) in localStorage,
// with what is needed to keep it going — the OIDC refresh token and the email. Components follow it with
// useSession(); an expired or refused session is announced once so the app can send the person to /login.
import { useSyncExternalStore } from 'react';

const KEY = 'reflector.token';
const META_KEY = 'reflector.session';
const EXPIRED_EVENT = 'reflector:session-expired';
// Kept for the tab rather than the page: another page load (a reload, or a request of the page being left)
// may be the one that finds the session over, and the next page must still say why.
const EXPIRED_KEY = 'reflector.session-expired';

export interface SessionMeta {
  provider: 'credentials' | 'authentik';
  email: string | null;
  refresh_token: string | null;
}

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function getToken(): string | null {
  return read(KEY);
}

export function getSessionMeta(): SessionMeta | null {
  const raw = read(META_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as SessionMeta;
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(KEY, token);
  else {
    localStorage.removeItem(KEY);
    localStorage.removeItem(META_KEY);
  }
  notify();
}

function setExpired(value: boolean): void {
  try {
    if (value) sessionStorage.setItem(EXPIRED_KEY, '1');
    else sessionStorage.removeItem(EXPIRED_KEY);
  } catch {
    // Storage disabled: the notice is lost, the sign-in still works.
  }
}

/** Stores a new session (after sign-in or a refresh). */
export function startSession(token: string, meta: SessionMeta): void {
  setExpired(false);
  localStorage.setItem(META_KEY, JSON.stringify(meta));
  setToken(token);
}

/** Whether the last session in this tab ended by expiring rather than by signing out. */
export function expiredRecently(): boolean {
  try {
    return sessionStorage.getItem(EXPIRED_KEY) === '1';
  } catch {
    return false;
  }
}

export function signOut(): void {
  setExpired(false);
  setToken(null);
}

/** Milliseconds since the epoch when the token's `exp` passes; null when it has none or is not a JWT. */
export function tokenExpiresAt(token: string): number | null {
  try {
    const payload = token.split('.')[1];
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof json.exp === 'number' ? json.exp * 1000 : null;
  } catch {
    return null;
  }
}

export function isExpired(token: string, marginMs = 0): boolean {
  const at = tokenExpiresAt(token);
  return at !== null && at - marginMs <= Date.now();
}

/** Ends the session because the server refused it or it ran out; the app then asks to sign in again. */
export function sessionExpired(): void {
  if (!getToken()) return;
  setExpired(true);
  setToken(null);
  window.dispatchEvent(new Event(EXPIRED_EVENT));
}

export function onSessionExpired(handler: () => void): () => void {
  window.addEventListener(EXPIRED_EVENT, handler);
  return () => window.removeEventListener(EXPIRED_EVENT, handler);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  // Signing in or out in another tab counts too.
  const onStorage = (e: StorageEvent) => {
    if (e.key === KEY || e.key === null) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

/** The current bearer token, re-rendering on sign-in, refresh and sign-out. */
export function useSession(): string | null {
  return useSyncExternalStore(subscribe, getToken);
}
