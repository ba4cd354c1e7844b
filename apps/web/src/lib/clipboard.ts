// Copying text: the asynchronous clipboard where the browser offers it (secure contexts with permission),
// else the older selection-based copy, which also works on plain-http deployments.
export async function copyText(text: string): Promise<boolean> {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Denied or unavailable: try the selection-based copy below.
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  // Inside an open modal dialog, since the rest of the page is inert then.
  (document.querySelector('dialog[open]') ?? document.body).append(area);
  const active = document.activeElement as HTMLElement | null;
  area.select();
  let ok: boolean;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  active?.focus();
  return ok;
}
