// The signed-in session's bearer token, kept in localStorage. Login arrives with the users feature;
// every request and WebSocket already carries the token when one is present.
const KEY = 'reflector.token';

export function getToken(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(KEY, token);
  else localStorage.removeItem(KEY);
}
