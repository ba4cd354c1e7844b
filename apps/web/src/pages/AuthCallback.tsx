// /auth/callback: the identity provider sends the person back here with a code; the server exchanges it
// (with the PKCE verifier kept since the sign-in started) for a session, then the person goes on.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { loginPath, resetUserData } from '../api/auth.ts';
import { api, unwrap } from '../api/client.ts';
import { startSession } from '../api/session.ts';
import { ErrorNotice, Loading } from '../components/Notice.tsx';
import { takePendingSignIn } from '../lib/oidc.ts';

// A code can be exchanged once: a page mounted twice (development StrictMode) shares the one exchange.
const exchanges = new Map<string, Promise<string>>();

function complete(search: string): Promise<string> {
  let running = exchanges.get(search);
  if (!running) {
    running = (async () => {
      const params = new URLSearchParams(search);
      const problem = params.get('error');
      if (problem) {
        const why = params.get('error_description');
        throw new Error(`${/access_denied/.test(problem) ? 'The sign-in was cancelled or refused' : 'The identity provider did not sign you in'} (${why ? `${problem}: ${why}` : problem}).`);
      }
      const pending = takePendingSignIn(params.get('state'));
      if (!pending) throw new Error('This sign-in was not started in this browser tab, or was already completed. Start it again.');
      const code = params.get('code');
      if (!code) throw new Error('The identity provider sent no authorization code.');
      const session = await unwrap(
        api.POST('/v1/auth/oidc/token', { body: { code, code_verifier: pending.verifier, redirect_uri: pending.redirectUri, nonce: pending.nonce } }),
      );
      startSession(session.access_token, { provider: 'authentik', email: session.user.email, refresh_token: session.refresh_token });
      return pending.next;
    })();
    exchanges.set(search, running);
  }
  return running;
}

export default function AuthCallbackPage() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let current = true;
    complete(window.location.search).then(
      (next) => {
        if (!current) return;
        resetUserData(qc);
        navigate(next, { replace: true });
      },
      (err: unknown) => current && setError(err),
    );
    return () => {
      current = false;
    };
  }, [navigate, qc]);

  if (!error) return <Loading label="Signing you in…" />;
  return (
    <section className="page narrow">
      <ErrorNotice error={error} title="Sign-in did not complete">
        <Link className="button" to={loginPath('/')}>
          Back to sign-in
        </Link>
      </ErrorNotice>
    </section>
  );
}
