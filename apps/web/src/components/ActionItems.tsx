import type { ActionItems as Items } from '../api/types.ts';
import { formatClock } from '../lib/time.ts';

type Item = Items['decisions'][number];

const pick = (item: Item, names: string[]): string | null => {
  for (const n of names) {
    const v = item[n];
    if (typeof v === 'string' && v.trim()) return v.trim();
    if (typeof v === 'number') return String(v);
  }
  return null;
};

const time = (item: Item): number | null => {
  for (const n of ['timestamp', 'start', 'time']) if (typeof item[n] === 'number') return item[n] as number;
  return null;
};

function ItemText({ item, onSeek }: { item: Item; onSeek(s: number): void }) {
  const text = pick(item, ['text', 'decision', 'task', 'action', 'title', 'description', 'summary']) ?? JSON.stringify(item);
  const owner = pick(item, ['assigned_to', 'owner', 'assignee']);
  const decidedBy = pick(item, ['decided_by']);
  const deadline = pick(item, ['deadline', 'due', 'due_date']);
  const why = pick(item, ['rationale', 'context']);
  const at = time(item);
  return (
    <>
      <span>{text}</span>
      {owner && <span className="tag">Owner: {owner}</span>}
      {decidedBy && <span className="tag">By: {decidedBy}</span>}
      {deadline && <span className="tag">Due: {deadline}</span>}
      {at !== null && (
        <button type="button" className="timestamp" onClick={() => onSeek(at)} aria-label={`Play from ${formatClock(at)}`}>
          {formatClock(at)}
        </button>
      )}
      {why && <span className="action-why">{why}</span>}
    </>
  );
}

export function ActionItems({ items, onSeek }: { items: Items | null | undefined; onSeek(s: number): void }) {
  if (!items || (!items.decisions.length && !items.next_steps.length)) return null;
  return (
    <section className="card" aria-labelledby="actions-heading">
      <h2 id="actions-heading">Action items</h2>
      {items.decisions.length > 0 && (
        <>
          <h3>Decisions</h3>
          <ul className="action-list">
            {items.decisions.map((d, i) => (
              <li key={i}>
                <ItemText item={d} onSeek={onSeek} />
              </li>
            ))}
          </ul>
        </>
      )}
      {items.next_steps.length > 0 && (
        <>
          <h3>Next steps</h3>
          <ul className="action-list">
            {items.next_steps.map((d, i) => (
              <li key={i}>
                <ItemText item={d} onSeek={onSeek} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
