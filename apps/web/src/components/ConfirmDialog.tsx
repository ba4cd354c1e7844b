import type { ReactNode, RefObject } from 'react';

/** A modal "are you sure" for destructive actions; Cancel has the focus so Enter never destroys by accident. */
export function ConfirmDialog({
  dialogRef,
  id,
  title,
  children,
  confirmLabel,
  busy,
  onConfirm,
}: {
  dialogRef: RefObject<HTMLDialogElement | null>;
  id: string;
  title: ReactNode;
  children: ReactNode;
  confirmLabel: string;
  busy: boolean;
  onConfirm: () => void;
}) {
  return (
    <dialog ref={dialogRef} className="dialog" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <p>{children}</p>
      <div className="actions">
        <button type="button" className="button button-danger" disabled={busy} onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button type="button" className="button" autoFocus onClick={() => dialogRef.current?.close()}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
