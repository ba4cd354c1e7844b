// /login: email and password for AUTH_PROVIDER=credentials, "Sign in with Authentik" for OIDC. Afterwards
// the person goes back to where they were going (?next=).
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router-dom';
import { providerName, resetUserData, safeNext, useAuthConfig, type AuthConfig } from '../api/auth.ts';
import { api, describeError } from '../api/client.ts';
import { isExpired, startSession, useSession } from '../api/session.ts';
import { Loading } from '../components/Notice.tsx';
import { beginSignIn } from '../lib/oidc.ts';

function waitWords(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return 'in a few minutes';
  if (seconds < 90) return `in ${Math.ceil(seconds)} seconds`;
  return `in ${Math.ceil(seconds / 60)} minutes`;
}

function CredentialsForm() {
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { data, error: body, response } = await api.POST('/v1/auth/login', { body: { email: email.trim(), password } });
      if (data) {
        startSession(data.access_token, { provider: 'credentials', email: email.trim(), refresh_token: null });
        resetUserData(qc);
        return;
      }
      if (response.status === 401) setError('Wrong email or password.');
      else if (response.status === 429) {
        setError(`Too many failed sign-in attempts from this address. Try again ${waitWords(Number(response.headers.get('retry-after')))}.`);
      } else setError(describeError(response.status, body));
    } catch (err) {
      setError(`Cannot reach the server: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={onSubmit} aria-describedby={error ? 'login-error' : undefined}>
      <label className="field">
        <span>Email</span>
        <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
      </label>
      <label className="field">
        <span>Password</span>
        <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {error && (
        <div id="login-error" className="notice notice-error" role="alert">
          <p>{error}</p>
        </div>
      )}
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

function OidcSignIn({ config, next }: { config: AuthConfig; next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const name = providerName(config);
  return (
    <div className="form">
      <p className="hint">You will sign in on {name}&apos;s page and come back here.</p>
      {error && (
        <div className="notice notice-error" role="alert">
          <p>{error}</p>
        </div>
      )}
      <button
        type="button"
        className="button button-primary"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await beginSignIn(config.oidc!, next);
          } catch (err) {
            setError((err as Error).message);
            setBusy(false);
          }
        }}
      >
        Sign in with {name}
      </button>
    </div>
  );
}

export default function LoginPage() {
  const config = useAuthConfig().data;
  const token = useSession();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  if (!config) return <Loading />;
  if (token && !isExpired(token)) return <Navigate to={next} replace />;

  return (
    <section className="page login-page">
      <div className="card login-card">
        <h1>Sign in</h1>
        {params.get('expired') === '1' && (
          <div className="notice notice-info" role="status">
            <p>Your session expired. Sign in again to continue.</p>
          </div>
        )}
        {config.provider === 'credentials' && <CredentialsForm />}
        {config.provider === 'authentik' && config.oidc && <OidcSignIn config={config} next={next} />}
        {!config.provider && (
          <p>
            Sign-in is not enabled on this server.{' '}
            {!config.require_login && <Link to="/">Continue without signing in</Link>}
          </p>
        )}
        {config.provider && !config.require_login && (
          <p className="hint">
            <Link to={next}>Continue without signing in</Link>
          </p>
        )}
      </div>
    </section>
  );
}
