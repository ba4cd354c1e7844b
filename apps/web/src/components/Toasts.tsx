import { useEffect, useState } from 'react';
import { dismiss, subscribeToasts, type ToastMessage } from './toasts.ts';

export function Toasts() {
  const [items, setItems] = useState<ToastMessage[]>([]);
  useEffect(() => subscribeToasts(setItems), []);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {items.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : undefined}>
          <span>{t.text}</span>
          <button type="button" className="icon-button" onClick={() => dismiss(t.id)} aria-label="Dismiss">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
