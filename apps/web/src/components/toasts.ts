// A tiny toast store: any module may report; the Toasts component shows the messages.
export interface ToastMessage {
  id: number;
  text: string;
  kind: 'error' | 'info';
}

let items: ToastMessage[] = [];
let nextId = 1;
const listeners = new Set<(items: ToastMessage[]) => void>();

function emit() {
  for (const l of listeners) l(items);
}

export function toast(text: string, kind: ToastMessage['kind'] = 'info'): void {
  const id = nextId++;
  items = [...items.filter((t) => t.text !== text), { id, text, kind }].slice(-4);
  emit();
  setTimeout(() => dismiss(id), kind === 'error' ? 10_000 : 4000);
}

export function dismiss(id: number): void {
  items = items.filter((t) => t.id !== id);
  emit();
}

export function subscribeToasts(listener: (items: ToastMessage[]) => void): () => void {
  listeners.add(listener);
  listener(items);
  return () => listeners.delete(listener);
}
