import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { useApiKeys, useCreateApiKey, useDeleteApiKey, useMe, type ApiKey, type NewApiKey } from '../api/account.ts';
import { loginPath } from '../api/auth.ts';
import { API_BASE } from '../api/client.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { CopyField } from '../components/CopyField.tsx';
import { ErrorNotice, InfoNotice, Loading } from '../components/Notice.tsx';
import { toast } from '../components/toasts.ts';
import { formatDate } from '../lib/time.ts';

const keyName = (k: { name: string | null }) => k.name || 'Unnamed key';

export default function ApiKeysPage() {
  const me = useMe();
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorNotice error={me.error} title="Cannot tell who is signed in" />;
  return (
    <section className="page narrow api-keys-page">
      <h1>API keys</h1>
      <p className="lead">Programs and scripts use an API key to reach your transcripts as you, without your password.</p>
      {me.data ? (
        <SignedIn />
      ) : (
        <InfoNotice>
          <p>
            You need to <Link to={loginPath('/settings/api-keys')}>sign in</Link> to manage API keys.
          </p>
        </InfoNotice>
      )}
      <Usage />
    </section>
  );
}

function SignedIn() {
  const keys = useApiKeys(true);
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [created, setCreated] = useState<NewApiKey | null>(null);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(name.trim() || null, {
      onSuccess: (key) => {
        setCreated(key);
        setName('');
      },
    });
  };

  return (
    <>
      <form className="card form" onSubmit={onSubmit} aria-labelledby="create-key-heading">
        <h2 id="create-key-heading">Create a key</h2>
        <div className="field-row create-key-row">
          <label className="field">
            <span>Name (optional)</span>
            <input type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="Nightly export script" maxLength={200} />
          </label>
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create key'}
          </button>
        </div>
        {create.isError && <ErrorNotice error={create.error} title="The key was not created" />}
        {created && (
          <div className="notice notice-warning new-key" role="region" aria-label="New API key" data-testid="new-key">
            <strong>Copy your new key “{keyName(created)}” now: it will not be shown again.</strong>
            <CopyField label="API key" value={created.key} testId="new-key-value" wrap />
            <button type="button" className="button button-small" onClick={() => setCreated(null)}>
              I have copied it
            </button>
          </div>
        )}
      </form>

      <section className="card" aria-labelledby="keys-heading">
        <h2 id="keys-heading">Your keys</h2>
        {keys.isPending ? (
          <Loading />
        ) : keys.isError ? (
          <ErrorNotice error={keys.error} title="Cannot list your keys" />
        ) : keys.data.length === 0 ? (
          <p className="hint">You have no API keys.</p>
        ) : (
          <table className="key-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.map((k) => (
                <KeyRow key={k.id} apiKey={k} />
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function KeyRow({ apiKey }: { apiKey: ApiKey }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const remove = useDeleteApiKey();
  const name = keyName(apiKey);
  return (
    <tr data-testid="api-key">
      <td>{name}</td>
      <td>{formatDate(apiKey.created_at)}</td>
      <td className="key-actions">
        <button type="button" className="button button-small button-danger" aria-label={`Delete ${name}`} onClick={() => dialog.current?.showModal()}>
          Delete
        </button>
        <ConfirmDialog
          dialogRef={dialog}
          id={`del-key-${apiKey.id}`}
          title={`Delete the key “${name}”?`}
          confirmLabel="Delete key"
          busy={remove.isPending}
          onConfirm={() =>
            remove.mutate(apiKey.id, {
              onSuccess: () => toast(`Deleted the key “${name}”`),
              onSettled: () => dialog.current?.close(),
            })
          }
        >
          Programs that use it stop working at once. This cannot be undone.
        </ConfirmDialog>
      </td>
    </tr>
  );
}

function Usage() {
  const base = API_BASE || window.location.origin;
  return (
    <section className="card" aria-labelledby="usage-heading">
      <h2 id="usage-heading">Using a key</h2>
      <p>
        Send the key in the <code>X-API-Key</code> header of each request to the API. The request then acts as you: it sees your transcripts and may
        change them. The full API is described at <a href={`${base}/docs`}>{`${base}/docs`}</a>.
      </p>
      <pre className="code-block">
        <code>{`curl -H "X-API-Key: YOUR_KEY" ${base}/v1/transcripts`}</code>
      </pre>
      <p className="hint">Delete a key as soon as it is no longer needed or may have leaked; create one key per program so each can be deleted alone.</p>
    </section>
  );
}
