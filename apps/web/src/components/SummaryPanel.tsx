import { useState } from 'react';
import { usePatchTranscript } from '../api/queries.ts';
import type { TranscriptDetail } from '../api/types.ts';
import { Markdown } from '../lib/markdown.tsx';
import { ErrorNotice } from './Notice.tsx';

export function SummaryPanel({ transcript, onSeek }: { transcript: TranscriptDetail; onSeek(seconds: number): void }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const patch = usePatchTranscript(transcript.id);
  const summary = transcript.long_summary ?? '';

  const save = () => patch.mutate({ long_summary: draft }, { onSuccess: () => setEditing(false) });

  return (
    <section className="card summary" aria-labelledby="summary-heading">
      <div className="card-header">
        <h2 id="summary-heading">Summary</h2>
        {!editing && (
          <button
            type="button"
            className="button button-quiet"
            onClick={() => {
              setDraft(summary);
              patch.reset();
              setEditing(true);
            }}
          >
            Edit
          </button>
        )}
      </div>
      {editing ? (
        <div className="summary-edit">
          <label className="visually-hidden" htmlFor="summary-input">
            Summary (Markdown)
          </label>
          <textarea
            id="summary-input"
            autoFocus
            rows={12}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setEditing(false);
              if (e.key === 'Enter' && e.shiftKey) {
                e.preventDefault();
                save();
              }
            }}
          />
          <p className="hint">Markdown. Shift+Enter saves, Esc cancels.</p>
          <div className="actions">
            <button type="button" className="button button-primary" onClick={save} disabled={patch.isPending}>
              Save summary
            </button>
            <button type="button" className="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
          {patch.isError && <ErrorNotice error={patch.error} title="The summary was not saved" />}
        </div>
      ) : summary ? (
        <div className="markdown" data-testid="summary">
          {transcript.short_summary && <p className="lead">{transcript.short_summary}</p>}
          <Markdown source={summary} onSeek={onSeek} />
        </div>
      ) : (
        <p className="hint">{transcript.status === 'ended' ? 'No summary for this meeting.' : 'The summary appears when processing ends.'}</p>
      )}
    </section>
  );
}
