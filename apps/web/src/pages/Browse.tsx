import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useDeleteTranscript, useProcess, useSearch } from '../api/queries.ts';
import type { SearchQuery, SearchResult, SourceKind } from '../api/types.ts';
import { useListEvents } from '../api/useListEvents.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { ErrorNotice, Loading } from '../components/Notice.tsx';
import { toast } from '../components/toasts.ts';
import { Highlight, queryTerms } from '../lib/highlight.tsx';
import { formatDate, formatDuration } from '../lib/time.ts';

const PAGE_SIZE = 20;
const SOURCES: Array<{ value: '' | SourceKind; label: string }> = [
  { value: '', label: 'All sources' },
  { value: 'file', label: 'Uploads' },
  { value: 'live', label: 'Live' },
  { value: 'room', label: 'Rooms' },
];
const STATUS_LABEL: Record<string, string> = {
  idle: 'Waiting for audio',
  uploaded: 'Queued',
  recording: 'Recording',
  processing: 'Processing',
  error: 'Failed',
  ended: 'Ready',
};

const dayStart = (d: string) => new Date(`${d}T00:00:00`).toISOString();
const dayEnd = (d: string) => new Date(`${d}T23:59:59.999`).toISOString();

function ResultCard({ r, terms }: { r: SearchResult; terms: string[] }) {
  const process = useProcess(r.id);
  const remove = useDeleteTranscript();
  const dialog = useRef<HTMLDialogElement>(null);
  const title = r.title || r.name;
  const busy = r.status === 'processing' || r.status === 'uploaded';
  const extra = r.total_match_count - r.search_snippets.length;
  return (
    <li className="card result" data-testid="result">
      <div className="result-head">
        <h2 className="result-title">
          <Link to={r.status === 'ended' ? `/transcripts/${r.id}` : r.status === 'idle' ? `/transcripts/${r.id}/upload` : `/transcripts/${r.id}/processing`}>
            <Highlight text={title} terms={terms} />
          </Link>
        </h2>
        <span className={`status status-${r.status}`}>{STATUS_LABEL[r.status] ?? r.status}</span>
      </div>
      <p className="meta">
        <span>{r.room_name ? `Room: ${r.room_name}` : SOURCES.find((s) => s.value === r.source_kind)?.label}</span>
        <span>{formatDate(r.created_at)}</span>
        <span>{formatDuration(r.duration)}</span>
      </p>
      {r.search_snippets.length > 0 && (
        <ul className="snippets">
          {r.search_snippets.map((s, i) => (
            <li key={i}>
              <Highlight text={s} terms={terms} />
            </li>
          ))}
          {extra > 0 && <li className="hint">+{extra} more {extra === 1 ? 'match' : 'matches'}</li>}
        </ul>
      )}
      <div className="actions">
        <button type="button" className="button button-small" disabled={busy || process.isPending} onClick={() => process.mutate(undefined, { onSuccess: (res) => toast(res.status === 'ok' ? 'Reprocessing started' : 'Already processing') })}>
          Reprocess
        </button>
        <button type="button" className="button button-small button-danger" onClick={() => dialog.current?.showModal()}>
          Delete
        </button>
      </div>
      <ConfirmDialog
        dialogRef={dialog}
        id={`del-${r.id}`}
        title={`Delete “${title}”?`}
        confirmLabel="Delete"
        busy={remove.isPending}
        onConfirm={() =>
          remove.mutate(r.id, {
            onSuccess: () => {
              dialog.current?.close();
              toast('Transcript deleted');
            },
            onError: () => dialog.current?.close(),
          })
        }
      >
        The transcript, its audio and its files are removed. This cannot be undone.
      </ConfirmDialog>
    </li>
  );
}

export default function BrowsePage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const source = (params.get('source') ?? '') as '' | SourceKind;
  const room = params.get('room') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [draft, setDraft] = useState(q);
  useEffect(() => setDraft(q), [q]);

  const query: SearchQuery = useMemo(
    () => ({
      q,
      limit: PAGE_SIZE,
      offset: (page - 1) * PAGE_SIZE,
      ...(source ? { source_kind: source } : {}),
      ...(room ? { room_id: room } : {}),
      ...(from ? { from: dayStart(from) } : {}),
      ...(to ? { to: dayEnd(to) } : {}),
    }),
    [q, page, source, room, from, to],
  );
  const search = useSearch(query);
  const results = search.data?.results ?? [];
  useListEvents(useMemo(() => results.filter((r) => ['uploaded', 'processing', 'recording'].includes(r.status)).map((r) => r.id), [results]));
  const terms = useMemo(() => queryTerms(q), [q]);
  const rooms = useMemo(() => {
    const m = new Map<string, string>();
    for (const r of results) if (r.room_id) m.set(r.room_id, r.room_name ?? r.room_id);
    if (room && !m.has(room)) m.set(room, room);
    return [...m];
  }, [results, room]);

  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!('page' in changes)) next.delete('page');
    setParams(next);
  };
  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    update({ q: draft.trim() });
  };
  const total = search.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  return (
    <section className="page wide browse">
      <h1>Transcripts</h1>
      <form className="search-bar" role="search" onSubmit={onSearch}>
        <label className="visually-hidden" htmlFor="search-input">
          Search transcripts
        </label>
        <input id="search-input" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="Search titles, summaries and transcripts" />
        <button type="submit" className="button button-primary">
          Search
        </button>
      </form>
      <div className="browse-grid">
        <aside className="filters" aria-label="Filters">
          <label className="field">
            <span>Source</span>
            <select value={source} onChange={(e) => update({ source: e.target.value })}>
              {SOURCES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Room</span>
            <select value={room} onChange={(e) => update({ room: e.target.value })}>
              <option value="">All rooms</option>
              {rooms.map(([rid, name]) => (
                <option key={rid} value={rid}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>From</span>
            <input type="date" value={from} max={to || undefined} onChange={(e) => update({ from: e.target.value })} />
          </label>
          <label className="field">
            <span>To</span>
            <input type="date" value={to} min={from || undefined} onChange={(e) => update({ to: e.target.value })} />
          </label>
          {(source || room || from || to || q) && (
            <button type="button" className="button button-quiet" onClick={() => setParams(new URLSearchParams())}>
              Clear filters
            </button>
          )}
        </aside>
        <div className="results">
          {search.isError && <ErrorNotice error={search.error} title="Search failed" />}
          {search.isPending ? (
            <Loading />
          ) : (
            <>
              <p className="hint" aria-live="polite">
                {total === 0 ? (q ? `Nothing matches “${q}”.` : 'No transcripts yet.') : `${total} ${total === 1 ? 'transcript' : 'transcripts'}${q ? ` matching “${q}”` : ''}`}
              </p>
              <ul className="result-list">
                {results.map((r) => (
                  <ResultCard key={r.id} r={r} terms={terms} />
                ))}
              </ul>
              {pages > 1 && (
                <nav className="pagination" aria-label="Pages">
                  <button type="button" className="button" disabled={page <= 1} onClick={() => update({ page: String(page - 1) })}>
                    Previous
                  </button>
                  <span>
                    Page {page} of {pages}
                  </span>
                  <button type="button" className="button" disabled={page >= pages} onClick={() => update({ page: String(page + 1) })}>
                    Next
                  </button>
                </nav>
              )}
            </>
          )}
        </div>
      </div>
    </section>
  );
}
