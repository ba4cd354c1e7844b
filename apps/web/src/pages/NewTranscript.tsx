import { useMutation } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, unwrap } from '../api/client.ts';
import { ErrorNotice } from '../components/Notice.tsx';
import { languageOptions } from '../lib/languages.ts';

export function NewTranscriptPage() {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [source, setSource] = useState('en');
  const [target, setTarget] = useState('en');
  const languages = useMemo(languageOptions, []);
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/transcripts', {
          body: { name: name.trim() || undefined, source_language: source, target_language: target, source_kind: 'file' },
        }),
      ),
    onSuccess: (t) => navigate(`/transcripts/${t.id}/upload`),
    meta: { showsOwnError: true },
  });

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };

  return (
    <section className="page narrow">
      <h1>New transcript</h1>
      <p className="lead">Upload a meeting recording to get a transcript with speakers, topics and a summary.</p>
      <form className="card form" onSubmit={onSubmit}>
        <label className="field">
          <span>Name (optional)</span>
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="Weekly planning" maxLength={200} />
        </label>
        <div className="field-row">
          <label className="field">
            <span>Spoken language</span>
            <select value={source} onChange={(e) => setSource(e.target.value)}>
              {languages.map((l) => (
                <option key={l.code} value={l.code}>
                  {l.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Translate to</span>
            <select value={target} onChange={(e) => setTarget(e.target.value)}>
              {languages.map((l) => (
                <option key={l.code} value={l.code}>
                  {l.code === source ? `${l.name} (no translation)` : l.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        {create.isError && <ErrorNotice error={create.error} title="Could not create the transcript" />}
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Upload a file'}
          </button>
          <button type="button" className="button" disabled aria-describedby="record-note">
            Record a meeting
          </button>
        </div>
        <p id="record-note" className="hint">
          Live recording comes soon.
        </p>
      </form>
    </section>
  );
}
