import { useState, type FormEvent } from 'react';
import { usePatchTranscript } from '../api/queries.ts';
import type { TranscriptDetail } from '../api/types.ts';
import { ErrorNotice } from './Notice.tsx';

export function EditableTitle({ transcript }: { transcript: TranscriptDetail }) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');
  const patch = usePatchTranscript(transcript.id);
  const shown = transcript.title || transcript.name;

  const save = (e: FormEvent) => {
    e.preventDefault();
    patch.mutate({ title: value.trim() }, { onSuccess: () => setEditing(false) });
  };

  if (!editing) {
    return (
      <div className="title-row">
        <h1>{shown}</h1>
        <button
          type="button"
          className="icon-button"
          aria-label="Edit title"
          title="Edit title"
          onClick={() => {
            setValue(shown);
            patch.reset();
            setEditing(true);
          }}
        >
          ✎
        </button>
      </div>
    );
  }
  return (
    <form className="title-edit" onSubmit={save}>
      <label className="visually-hidden" htmlFor="title-input">
        Title
      </label>
      <input
        id="title-input"
        autoFocus
        value={value}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && setEditing(false)}
        maxLength={300}
      />
      <button type="submit" className="button button-primary" disabled={patch.isPending || !value.trim()}>
        Save
      </button>
      <button type="button" className="button" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {patch.isError && <ErrorNotice error={patch.error} title="The title was not saved" />}
    </form>
  );
}
