import { useEffect, useId, useRef, useState } from 'react';
import { copyText } from '../lib/clipboard.ts';

/** A read-only value with a copy button that says "Copied" for a moment. */
export function CopyField({
  label,
  value,
  buttonLabel = 'Copy',
  testId,
  wrap = false,
}: {
  label: string;
  value: string;
  buttonLabel?: string;
  testId?: string;
  /** Shows the whole value over several lines instead of one scrolling line (for secrets to check by eye). */
  wrap?: boolean;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2500);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = async () => {
    if (await copyText(value)) setState('copied');
    else {
      // Nothing could be copied: leave the text selected so the keyboard shortcut does it.
      input.current?.select();
      setState('failed');
    }
  };

  return (
    <div className="copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-field-row">
        {wrap ? (
          <textarea id={id} ref={input} readOnly value={value} rows={2} onFocus={(e) => e.currentTarget.select()} data-testid={testId} spellCheck={false} />
        ) : (
          <input id={id} ref={input} readOnly value={value} onFocus={(e) => e.currentTarget.select()} data-testid={testId} spellCheck={false} />
        )}
        <button type="button" className="button" onClick={copy}>
          {state === 'copied' ? 'Copied' : buttonLabel}
        </button>
      </div>
      <p className="hint" role="status" aria-live="polite">
        {state === 'copied' ? 'Copied to the clipboard.' : state === 'failed' ? 'Copying is blocked here: the text is selected, press Ctrl+C (⌘C) to copy it.' : ''}
      </p>
    </div>
  );
}
