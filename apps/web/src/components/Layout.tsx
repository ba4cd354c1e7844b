import { useEffect, useState, type ReactNode } from 'react';
import { NavLink } from 'react-router-dom';
import { useAuthConfig } from '../api/auth.ts';
import { useSession } from '../api/session.ts';
import { applyTheme, storedTheme, type ThemeChoice } from '../lib/theme.ts';
import { AccountMenu } from './AccountMenu.tsx';
import { Toasts } from './Toasts.tsx';

// Rooms, Settings and sign-in arrive with their features; the header keeps their places.
const NAV: Array<{ to: string; label: string; enabled: boolean }> = [
  { to: '/transcripts/new', label: 'Create', enabled: true },
  { to: '/browse', label: 'Browse', enabled: true },
  { to: '/rooms', label: 'Rooms', enabled: false },
  { to: '/settings', label: 'Settings', enabled: false },
];

const NEXT_THEME: Record<ThemeChoice, ThemeChoice> = { system: 'dark', dark: 'light', light: 'system' };
const THEME_LABEL: Record<ThemeChoice, string> = { system: 'Theme: system', dark: 'Theme: dark', light: 'Theme: light' };

export function Layout({ children }: { children: ReactNode }) {
  const [theme, setTheme] = useState<ThemeChoice>(storedTheme);
  // Before sign-in, when it is required, the pages are out of reach: no navigation to them.
  const requireLogin = useAuthConfig().data?.require_login === true;
  const token = useSession();
  const locked = requireLogin && !token;
  useEffect(() => applyTheme(theme), [theme]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <NavLink to="/transcripts/new" className="brand" aria-label="Reflector home">
          <span className="brand-mark" aria-hidden="true" />
          Reflector
        </NavLink>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => n.enabled && !locked).map((n) => (
              <li key={n.to}>
                <NavLink to={n.to}>{n.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="header-tools">
          <AccountMenu />
          <button type="button" className="button button-quiet" onClick={() => setTheme(NEXT_THEME[theme])} aria-label={`${THEME_LABEL[theme]}. Change theme`}>
            <span aria-hidden="true">{theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'}</span>
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <Toasts />
    </>
  );
}
