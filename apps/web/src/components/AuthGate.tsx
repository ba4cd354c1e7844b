// Keeps the app behind sign-in when the server requires it (FEATURE_REQUIRE_LOGIN), and sends the person
// to /login with a notice when their session expires or the server stops accepting it. An OIDC session
// is renewed shortly before it expires.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { loginPath, PUBLIC_PATHS, useAuthConfig } from '../api/auth.ts';
import { refreshSession } from '../api/client.ts';
import { expiredRecently, getSessionMeta, getToken, onSessionExpired, sessionExpired, tokenExpiresAt, useSession } from '../api/session.ts';
import { ErrorNotice, Loading } from './Notice.tsx';

const REFRESH_AHEAD_MS = 30_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

export function AuthGate({ children }: { children: ReactNode }) {
  const config = useAuthConfig();
  const token = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const here = `${location.pathname}${location.search}${location.hash}`;
  const isPublic = PUBLIC_PATHS.includes(location.pathname);

  useEffect(() => {
    const toLogin = () => {
      void qc.resetQueries({ predicate: (q) => q.queryKey[0] !== 'auth-config' });
      const { pathname, search, hash } = window.location;
      if (!PUBLIC_PATHS.includes(pathname)) navigate(loginPath(`${pathname}${search}${hash}`, true), { replace: true });
    };
    // A session that ended before this component listened (a request at start-up) counts as well.
    if (expiredRecently() && !getToken()) toLogin();
    return onSessionExpired(toLogin);
  }, [navigate, qc]);

  useEffect(() => {
    if (!token) return;
    const at = tokenExpiresAt(token);
    if (at === null || at - Date.now() > MAX_TIMER_MS) return;
    const timers: ReturnType<typeof setTimeout>[] = [];
    if (getSessionMeta()?.refresh_token) timers.push(setTimeout(() => void refreshSession(), Math.max(0, at - REFRESH_AHEAD_MS - Date.now())));
    timers.push(
      setTimeout(async () => {
        if (getToken() !== token) return;
        if (await refreshSession()) return;
        if (getToken() === token) sessionExpired();
      }, Math.max(0, at - Date.now())),
    );
    return () => timers.forEach(clearTimeout);
  }, [token]);

  if (config.isPending) return <Loading />;
  if (config.isError) {
    return (
      <ErrorNotice error={config.error} title="Cannot load the sign-in settings">
        <button type="button" className="button" onClick={() => void config.refetch()}>
          Try again
        </button>
      </ErrorNotice>
    );
  }
  if (config.data.require_login && !token && !isPublic) return <Navigate to={loginPath(here, expiredRecently())} replace />;
  return children;
}
