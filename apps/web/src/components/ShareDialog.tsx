import { useRef, useState } from 'react';
import { errorMessage } from '../api/client.ts';
import { useShareMode, type ShareMode } from '../api/queries.ts';
import type { TranscriptDetail } from '../api/types.ts';
import { CopyField } from './CopyField.tsx';
import { toast } from './toasts.ts';

export const SHARE_MODES: Array<{ mode: ShareMode; label: string; who: string }> = [
  { mode: 'private', label: 'Private — only you', who: 'Only you can open this transcript. Anyone else who follows the link is told it is not shared with them.' },
  {
    mode: 'semi-private',
    label: 'Signed-in users with the link',
    who: 'Anyone signed in to this Reflector can open the link. People who are not signed in cannot.',
  },
  { mode: 'public', label: 'Anyone with the link', who: 'Anyone who has the link can open this transcript, without signing in.' },
];

/** The address of the transcript page, to hand to other people. */
export function transcriptLink(id: string): string {
  return `${window.location.origin}/transcripts/${encodeURIComponent(id)}`;
}

/** The owner's Share button and dialog: who may open the transcript, and its link. */
export function ShareDialog({ transcript }: { transcript: TranscriptDetail }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const shareMode = useShareMode(transcript.id);
  // The choice being saved is shown from the click on (component state, so the radio never lags behind the
  // click), whatever a refetch of the transcript says until the server has answered.
  const [choice, setChoice] = useState<ShareMode | null>(null);
  const shown = choice ?? transcript.share_mode;
  const current = SHARE_MODES.find((m) => m.mode === shown) ?? SHARE_MODES[0];

  const failure = (mode: ShareMode, err: unknown) => `Sharing was not changed to “${SHARE_MODES.find((m) => m.mode === mode)?.label ?? mode}”: ${errorMessage(err)}`;

  const choose = (mode: ShareMode) => {
    if (mode === shown) return;
    setChoice(mode);
    shareMode.mutate(mode, {
      onError: (err) => toast(failure(mode, err), 'error'),
      onSettled: () => setChoice((c) => (c === mode ? null : c)),
    });
  };

  return (
    <>
      <button
        type="button"
        className="button"
        aria-haspopup="dialog"
        onClick={() => {
          if (!shareMode.isPending) shareMode.reset();
          dialog.current?.showModal();
          dialog.current?.querySelector<HTMLInputElement>('input:checked')?.focus();
        }}
      >
        Share
      </button>
      {/* A modal <dialog>: the page behind is inert (focus stays inside) and Escape closes it. */}
      <dialog
        ref={dialog}
        className="dialog share-dialog"
        aria-labelledby="share-title"
        onClick={(e) => {
          if (e.target === dialog.current) dialog.current.close();
        }}
      >
        <div className="dialog-head">
          <h2 id="share-title">Share “{transcript.title || transcript.name}”</h2>
          <button type="button" className="icon-button" aria-label="Close" onClick={() => dialog.current?.close()}>
            ×
          </button>
        </div>
        <fieldset className="share-modes">
          <legend>Who can open it</legend>
          {SHARE_MODES.map((m) => (
            <label key={m.mode} className={`share-mode${m.mode === shown ? ' share-mode-chosen' : ''}`}>
              <input type="radio" name={`share-${transcript.id}`} value={m.mode} checked={m.mode === shown} onChange={() => choose(m.mode)} />
              <span>{m.label}</span>
            </label>
          ))}
        </fieldset>
        <p className="share-who" data-testid="share-who" aria-live="polite">
          {current.who}
          {shareMode.isPending && <span className="hint"> Saving…</span>}
        </p>
        {/* The toasts sit behind the modal dialog: the refusal is repeated where the person is looking. */}
        {shareMode.isError && shareMode.variables && (
          <p className="notice notice-error share-error" role="alert">
            {failure(shareMode.variables, shareMode.error)}
          </p>
        )}
        <CopyField label="Link to this transcript" value={transcriptLink(transcript.id)} buttonLabel="Copy link" testId="share-link" />
        <div className="actions dialog-actions">
          <button type="button" className="button button-primary" onClick={() => dialog.current?.close()}>
            Done
          </button>
        </div>
      </dialog>
    </>
  );
}
