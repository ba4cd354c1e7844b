// The header's account corner: the signed-in email with a menu (API keys, sign out), or "Sign in" when the
// server has a sign-in backend and nobody is signed in.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { useMe } from '../api/account.ts';
import { loginPath, PUBLIC_PATHS, resetUserData, useAuthConfig } from '../api/auth.ts';
import { getSessionMeta, signOut, useSession } from '../api/session.ts';

export function AccountMenu() {
  const config = useAuthConfig().data;
  const token = useSession();
  const me = useMe();
  const location = useLocation();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => setOpen(false), [location.pathname]);
  useEffect(() => {
    if (!open) return;
    const onPointer = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  if (!config || config.auth_backend === 'none') return null;
  if (!token) {
    if (!config.provider || PUBLIC_PATHS.includes(location.pathname)) return null;
    return (
      <Link className="button button-quiet" to={loginPath(`${location.pathname}${location.search}`)}>
        Sign in
      </Link>
    );
  }
  const email = me.data?.email ?? getSessionMeta()?.email ?? 'Signed in';
  return (
    <div className="account-menu" ref={box}>
      <button type="button" className="button button-quiet" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <span className="account-email">{email}</span>
        <span aria-hidden="true"> ▾</span>
      </button>
      {open && (
        <div className="account-menu-items" role="menu" aria-label="Account">
          <Link role="menuitem" to="/settings/api-keys">
            API keys
          </Link>
          <button
            role="menuitem"
            type="button"
            onClick={() => {
              // When sign-in is required the gate then shows /login, coming back here afterwards.
              signOut();
              resetUserData(qc);
            }}
          >
            Sign out
          </button>
        </div>
      )}
    </div>
  );
}
