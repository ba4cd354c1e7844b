// How this server signs people in (GET /v1/auth/config), read once at start, and the paths of the sign-in
// page.
import { queryOptions, useQuery, type QueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client.ts';
import type { paths } from './schema';

export type AuthConfig = paths['/v1/auth/config']['get']['responses'][200]['content']['application/json'];

export const authConfigQuery = queryOptions({
  queryKey: ['auth-config'],
  queryFn: () => unwrap(api.GET('/v1/auth/config')),
  staleTime: Infinity,
  retry: 2,
});

export function useAuthConfig() {
  return useQuery(authConfigQuery);
}

/** Provider names as people know them. */
export function providerName(config: AuthConfig): string {
  return config.provider === 'authentik' ? 'Authentik' : 'email and password';
}

/** Only paths of this app are followed after sign-in (never another origin). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.startsWith('/login') || next.startsWith('/auth/callback')) return '/';
  return next;
}

export function loginPath(next: string, expired = false): string {
  const q = new URLSearchParams({ next: safeNext(next) });
  if (expired) q.set('expired', '1');
  return `/login?${q}`;
}

/** Pages reachable without a session even when sign-in is required. */
export const PUBLIC_PATHS = ['/login', '/auth/callback'];

/** After signing in or out: what was loaded belongs to the previous person; load it again. */
export function resetUserData(qc: QueryClient): void {
  void qc.resetQueries({ predicate: (q) => q.queryKey[0] !== 'auth-config' });
}
