import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { fetchAudioSource, isStale, type AudioSource } from '../api/audio.ts';
import { usePatchTranscript, useTopics, useTranscript } from '../api/queries.ts';
import { useSpeakerMutations } from '../api/speakers.ts';
import type { Participant, Word } from '../api/types.ts';
import { useTranscriptEvents } from '../api/useTranscriptEvents.ts';
import { getToken } from '../api/session.ts';
import { ErrorNotice, InfoNotice, Loading } from '../components/Notice.tsx';
import { toast } from '../components/toasts.ts';
import { flattenTopics } from '../lib/segments.ts';
import { speakerColour, speakerName } from '../lib/speakers.ts';
import { formatClock } from '../lib/time.ts';

interface Selection {
  from: number;
  to: number;
}

function isTyping(target: EventTarget | null) {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

/**
 * Plays a range of the recording with a bare media element. Its URL (signed when signed in) is fetched at
 * the first play and renewed before a play once it is about to run out.
 */
function useRangePlayer(id: string | null) {
  const audio = useRef<HTMLAudioElement | null>(null);
  const source = useRef<AudioSource | null>(null);
  const stopAt = useRef<number | null>(null);
  const [playing, setPlaying] = useState(false);
  useEffect(() => {
    if (!id) return;
    const a = new Audio();
    a.preload = 'none';
    audio.current = a;
    source.current = null;
    const onTime = () => {
      if (stopAt.current !== null && a.currentTime >= stopAt.current) a.pause();
    };
    const onPlay = () => setPlaying(true);
    const onPause = () => setPlaying(false);
    a.addEventListener('timeupdate', onTime);
    a.addEventListener('play', onPlay);
    a.addEventListener('pause', onPause);
    a.addEventListener('error', () => toast('The audio could not be played.', 'error'));
    return () => {
      a.pause();
      a.removeAttribute('src');
      audio.current = null;
    };
  }, [id]);
  return {
    playing,
    play(from: number, to: number) {
      const a = audio.current;
      if (!a || !id) return;
      stopAt.current = to;
      void (async () => {
        if (!source.current || isStale(source.current)) {
          source.current = await fetchAudioSource(id);
          if (audio.current !== a) return;
          a.src = source.current.url;
        }
        a.currentTime = from;
        await a.play();
      })().catch((err: Error) => toast(`Playback failed: ${err.message}`, 'error'));
    },
    pause() {
      audio.current?.pause();
    },
  };
}

function ParticipantRow({ p, busy, onRename, onDelete, onAssign, canAssign }: { p: Participant; busy: boolean; onRename(name: string): void; onDelete(): void; onAssign(): void; canAssign: boolean }) {
  const [name, setName] = useState(p.name);
  useEffect(() => setName(p.name), [p.name]);
  return (
    <li className="participant" style={{ ['--speaker' as string]: speakerColour(p.speaker ?? 0) }}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim() && name.trim() !== p.name) onRename(name.trim());
        }}
      >
        <label className="visually-hidden" htmlFor={`pname-${p.id}`}>
          Name of participant {p.name}
        </label>
        <input id={`pname-${p.id}`} value={name} onChange={(e) => setName(e.target.value)} />
        <span className="hint">{p.speaker === null ? 'no speaker' : `speaker ${p.speaker}`}</span>
        <div className="actions">
          <button type="submit" className="button button-small" disabled={busy || !name.trim() || name.trim() === p.name}>
            Rename
          </button>
          <button type="button" className="button button-small button-primary" disabled={busy || !canAssign} onClick={onAssign}>
            Assign selection
          </button>
          <button type="button" className="button button-small button-danger" disabled={busy} onClick={onDelete} aria-label={`Delete participant ${p.name}`}>
            Delete
          </button>
        </div>
      </form>
    </li>
  );
}

export default function CorrectPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const transcript = useTranscript(id);
  const topics = useTopics(id);
  useTranscriptEvents(id);
  const m = useSpeakerMutations(id);
  const patch = usePatchTranscript(id);
  const flat = useMemo(() => flattenTopics(topics.data ?? []), [topics.data]);
  const topicCount = topics.data?.length ?? 0;
  const topicIndex = Math.min(Math.max(0, Number(params.get('topic')) || 0), Math.max(0, topicCount - 1));
  const [selection, setSelection] = useState<Selection | null>(null);
  const dragging = useRef<number | null>(null);
  const [newName, setNewName] = useState('');
  const [newSpeaker, setNewSpeaker] = useState('');
  const [mergeFrom, setMergeFrom] = useState('');
  const [mergeTo, setMergeTo] = useState('');
  const [assignSpeaker, setAssignSpeaker] = useState('');
  const t = transcript.data;
  const player = useRangePlayer(t && !t.audio_deleted ? id : null);

  const goTopic = (i: number) => {
    if (i < 0 || i >= topicCount) return;
    setSelection(null);
    const next = new URLSearchParams(params);
    next.set('topic', String(i));
    setParams(next, { replace: true });
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === 'ArrowLeft') goTopic(topicIndex - 1);
      else if (e.key === 'ArrowRight') goTopic(topicIndex + 1);
      else if (e.key === 'Escape') setSelection(null);
    };
    window.addEventListener('keydown', onKey);
    const end = () => (dragging.current = null);
    window.addEventListener('mouseup', end);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mouseup', end);
    };
  });

  const speakers = useMemo(() => {
    const s = new Set<number>();
    for (const w of flat.words) s.add(w.speaker);
    for (const p of t?.participants ?? []) if (p.speaker !== null) s.add(p.speaker);
    return [...s].sort((a, b) => a - b);
  }, [flat.words, t?.participants]);

  if (transcript.isPending || topics.isPending) return <Loading />;
  if (transcript.isError) return <ErrorNotice error={transcript.error} title="Cannot open this transcript" />;
  if (topics.isError) return <ErrorNotice error={topics.error} title="Cannot load the words" />;
  if (!t) return null;

  const participants = t.participants;
  const topic = topics.data[topicIndex];
  const firstSeg = flat.topicFirstSegment[topicIndex] ?? 0;
  const lastSeg = topicIndex + 1 < topicCount ? flat.topicFirstSegment[topicIndex + 1] : flat.segments.length;
  const segs = flat.segments.slice(firstSeg, lastSeg);
  const selWords: Word[] = selection ? flat.words.slice(selection.from, selection.to + 1) : [];
  const range = selWords.length ? { timestamp_from: selWords[0].start, timestamp_to: selWords[selWords.length - 1].start } : null;
  const busy = m.create.isPending || m.rename.isPending || m.remove.isPending || m.assign.isPending || m.merge.isPending;
  const lastError = [m.create, m.rename, m.remove, m.assign, m.merge, patch].find((x) => x.isError)?.error;

  const pick = (i: number, extend: boolean) => {
    if (extend && selection) setSelection({ from: Math.min(selection.from, i), to: Math.max(selection.to, i) });
    else setSelection({ from: i, to: i });
  };

  const onCreate = (e: FormEvent) => {
    e.preventDefault();
    const name = newName.trim();
    if (!name) return;
    const speaker = newSpeaker === '' ? undefined : Number(newSpeaker);
    m.create.mutate(
      { name, ...(speaker !== undefined ? { speaker } : {}) },
      {
        onSuccess: (p) => {
          setNewName('');
          setNewSpeaker('');
          if (range && speaker === undefined) m.assign.mutate({ participant: p.id, ...range }, { onSuccess: () => void topics.refetch() });
        },
      },
    );
  };

  const assignTo = (body: { participant?: string; speaker?: number }) => {
    if (!range) return;
    m.assign.mutate({ ...body, ...range }, { onSuccess: () => { setSelection(null); void topics.refetch(); } });
  };

  const unnamed = speakers.filter((s) => !participants.some((p) => p.speaker === s));

  return (
    <section className="page wide correct-page">
      <div className="title-row">
        <h1>Correct speakers</h1>
        <Link to={`/transcripts/${id}`} className="button button-quiet">
          Back to transcript
        </Link>
      </div>
      <p className="lead">{t.title || t.name}</p>
      {!getToken() && <InfoNotice>Changes to speakers and participants need you to be signed in as the owner of this transcript.</InfoNotice>}
      {lastError !== undefined && <ErrorNotice error={lastError} title="The change was not saved" />}
      <div className="correct-grid">
        <div className="card">
          <nav className="topic-nav" aria-label="Topics">
            <button type="button" className="button" onClick={() => goTopic(topicIndex - 1)} disabled={topicIndex <= 0} aria-label="Previous topic (←)">
              ← Previous
            </button>
            <span aria-live="polite">
              Topic {topicCount ? topicIndex + 1 : 0} of {topicCount}
              {topic ? ` · ${formatClock(topic.timestamp)} · ${topic.title || 'Untitled topic'}` : ''}
            </span>
            <button type="button" className="button" onClick={() => goTopic(topicIndex + 1)} disabled={topicIndex >= topicCount - 1} aria-label="Next topic (→)">
              Next →
            </button>
          </nav>
          {topic && (
            <div className="actions">
              <button type="button" className="button button-small" disabled={t.audio_deleted} onClick={() => (player.playing ? player.pause() : player.play(topic.timestamp, topic.timestamp + (topic.duration ?? 30)))}>
                {player.playing ? 'Pause' : 'Play topic'}
              </button>
              <button type="button" className="button button-small" disabled={!selWords.length || t.audio_deleted} onClick={() => player.play(selWords[0].start, selWords[selWords.length - 1].end)}>
                Play selection
              </button>
            </div>
          )}
          <p className="hint">Click a word, then shift-click (or drag) to select a range; click a speaker name to select the whole passage. ←/→ move between topics.</p>
          <div className="word-view" data-testid="word-view">
            {segs.map((seg) => (
              <div key={seg.key} className="segment" style={{ ['--speaker' as string]: speakerColour(seg.speaker) }}>
                <button type="button" className="speaker-name speaker-select" onClick={() => setSelection({ from: seg.from, to: seg.to - 1 })}>
                  {speakerName(participants, seg.speaker)}
                </button>
                <p className="segment-text" onMouseDown={(e) => e.preventDefault()}>
                  {flat.words.slice(seg.from, seg.to).map((w, k) => {
                    const i = seg.from + k;
                    const selected = selection !== null && i >= selection.from && i <= selection.to;
                    return (
                      <span
                        key={i}
                        className={selected ? 'word word-selected' : 'word'}
                        onMouseDown={(e) => {
                          dragging.current = i;
                          pick(i, e.shiftKey);
                        }}
                        onMouseEnter={() => {
                          if (dragging.current !== null) setSelection({ from: Math.min(dragging.current, i), to: Math.max(dragging.current, i) });
                        }}
                      >
                        {w.text}
                      </span>
                    );
                  })}
                </p>
              </div>
            ))}
          </div>
          <p className="selection-info" aria-live="polite" data-testid="selection">
            {selWords.length ? `${selWords.length} ${selWords.length === 1 ? 'word' : 'words'} selected (${formatClock(selWords[0].start)}–${formatClock(selWords[selWords.length - 1].end)})` : 'No words selected'}
          </p>
          {selWords.length > 0 && (
            <div className="actions">
              <label className="field inline">
                <span>Give the selection to speaker</span>
                <select value={assignSpeaker} onChange={(e) => setAssignSpeaker(e.target.value)}>
                  <option value="">choose…</option>
                  {speakers.map((s) => (
                    <option key={s} value={s}>
                      {speakerName(participants, s)} ({s})
                    </option>
                  ))}
                  <option value={String((speakers.at(-1) ?? -1) + 1)}>New speaker ({(speakers.at(-1) ?? -1) + 1})</option>
                </select>
              </label>
              <button type="button" className="button button-small" disabled={assignSpeaker === '' || busy} onClick={() => assignTo({ speaker: Number(assignSpeaker) })}>
                Assign
              </button>
            </div>
          )}
        </div>
        <aside className="card participants-panel" aria-labelledby="participants-heading">
          <h2 id="participants-heading">Participants</h2>
          <form className="form" onSubmit={onCreate}>
            <label className="field">
              <span>Name</span>
              <input value={newName} onChange={(e) => setNewName(e.target.value)} placeholder="e.g. Alice" />
            </label>
            <label className="field">
              <span>For speaker</span>
              <select value={newSpeaker} onChange={(e) => setNewSpeaker(e.target.value)}>
                <option value="">{range ? 'the selected words' : 'no speaker yet'}</option>
                {unnamed.map((s) => (
                  <option key={s} value={s}>
                    Speaker {s}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" className="button button-primary" disabled={!newName.trim() || busy}>
              {newSpeaker !== '' ? `Name speaker ${newSpeaker}` : range ? 'Create and assign selection' : 'Create participant'}
            </button>
          </form>
          <ul className="participant-list">
            {participants.map((p) => (
              <ParticipantRow
                key={p.id}
                p={p}
                busy={busy}
                canAssign={!!range}
                onRename={(name) => m.rename.mutate({ pid: p.id, name })}
                onDelete={() => m.remove.mutate(p.id)}
                onAssign={() => assignTo({ participant: p.id })}
              />
            ))}
          </ul>
          <h3>Merge speakers</h3>
          <div className="field-row">
            <label className="field">
              <span>Merge</span>
              <select value={mergeFrom} onChange={(e) => setMergeFrom(e.target.value)}>
                <option value="">choose…</option>
                {speakers.map((s) => (
                  <option key={s} value={s}>
                    {speakerName(participants, s)} ({s})
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>into</span>
              <select value={mergeTo} onChange={(e) => setMergeTo(e.target.value)}>
                <option value="">choose…</option>
                {speakers.map((s) => (
                  <option key={s} value={s}>
                    {speakerName(participants, s)} ({s})
                  </option>
                ))}
              </select>
            </label>
          </div>
          <button
            type="button"
            className="button"
            disabled={mergeFrom === '' || mergeTo === '' || mergeFrom === mergeTo || busy}
            onClick={() => m.merge.mutate({ speaker_from: Number(mergeFrom), speaker_to: Number(mergeTo) }, { onSuccess: () => void topics.refetch() })}
          >
            Merge
          </button>
          <hr />
          <button
            type="button"
            className="button button-primary"
            disabled={patch.isPending}
            onClick={() => patch.mutate({ reviewed: true }, { onSuccess: () => navigate(`/transcripts/${id}`) })}
          >
            {t.reviewed ? 'Done (already reviewed)' : 'Done — mark reviewed'}
          </button>
        </aside>
      </div>
    </section>
  );
}
