import type { ReactNode } from 'react';

/** Words of a web-search style query worth highlighting (operators and quotes dropped). */
export function queryTerms(q: string): string[] {
  return q
    .replace(/["()]/g, ' ')
    .split(/\s+/)
    .filter((w) => w && !/^(or|and|not)$/i.test(w))
    .map((w) => w.replace(/^-/, ''))
    .filter((w) => w.length > 1);
}

export function Highlight({ text, terms }: { text: string; terms: string[] }): ReactNode {
  if (!terms.length) return text;
  const pattern = new RegExp(`(${terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'gi');
  const parts = text.split(pattern);
  return parts.map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : part));
}
