import { useEffect, useMemo, useRef } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useMe } from '../api/account.ts';
import { loginPath } from '../api/auth.ts';
import { ApiError } from '../api/client.ts';
import { useTopics, useTranscript, useWaveform } from '../api/queries.ts';
import { useTranscriptEvents } from '../api/useTranscriptEvents.ts';
import { ActionItems } from '../components/ActionItems.tsx';
import { EditableTitle } from '../components/EditableTitle.tsx';
import { ExportMenu } from '../components/ExportMenu.tsx';
import { ErrorNotice, InfoNotice, Loading } from '../components/Notice.tsx';
import { Playback } from '../components/playback.ts';
import { Player, type Marker } from '../components/Player.tsx';
import { ProcessingView } from '../components/ProcessingView.tsx';
import { SHARE_MODES, ShareDialog } from '../components/ShareDialog.tsx';
import { SummaryPanel } from '../components/SummaryPanel.tsx';
import { TopicList } from '../components/TopicList.tsx';
import { TranscriptList, type TranscriptListHandle } from '../components/TranscriptList.tsx';
import { languageName } from '../lib/languages.ts';
import { flattenTopics } from '../lib/segments.ts';
import { formatDate, formatDuration } from '../lib/time.ts';

export default function TranscriptPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const transcript = useTranscript(id);
  const me = useMe();
  const t = transcript.data;
  const ended = t?.status === 'ended';
  // Fetched in parallel with the transcript rather than after it: this is what makes long meetings open fast.
  const topics = useTopics(id);
  const waveform = useWaveform(id);
  const { progress, connection } = useTranscriptEvents(id);
  const playback = useMemo(() => new Playback(), []);
  const list = useRef<TranscriptListHandle>(null);
  const flat = useMemo(() => flattenTopics(topics.data ?? []), [topics.data]);
  const markers = useMemo<Marker[]>(() => (topics.data ?? []).map((tp) => ({ id: tp.id, start: tp.timestamp, title: tp.title })), [topics.data]);

  useEffect(() => {
    if (t?.status === 'idle') navigate(`/transcripts/${id}/upload`, { replace: true });
  }, [t?.status, id, navigate]);

  useEffect(() => {
    // Lets the browser tests measure how long a long transcript takes to become usable.
    if (flat.segments.length) (window as unknown as { __transcriptReady?: number }).__transcriptReady ??= performance.now();
  }, [flat]);

  if (transcript.isPending) return <Loading />;
  if (transcript.isError) {
    if (transcript.error instanceof ApiError && transcript.error.status === 403) return me.isPending ? <Loading /> : <NotShared signedIn={!!me.data} />;
    return <ErrorNotice error={transcript.error} title="Cannot open this transcript" />;
  }
  if (!t) return null;
  const isOwner = !!t.user_id && !!me.data && me.data.sub === t.user_id;

  const seekTopic = (index: number) => {
    const topic = topics.data?.[index];
    if (!topic) return;
    playback.seek(topic.timestamp);
    const seg = flat.topicFirstSegment[index];
    if (seg !== undefined && seg < flat.segments.length) list.current?.scrollToSegment(seg);
  };
  const seek = (s: number) => playback.seek(s);
  const durationS = (t.duration ?? 0) / 1000;

  return (
    <section className="page wide transcript-page">
      <div className="transcript-header">
        <EditableTitle transcript={t} />
        <p className="meta">
          <span>{formatDate(t.created_at)}</span>
          <span>{formatDuration(t.duration)}</span>
          <span>{languageName(t.source_language)}</span>
          {t.target_language !== t.source_language && <span>→ {languageName(t.target_language)}</span>}
          {t.room_name && <span>Room: {t.room_name}</span>}
          {t.reviewed && <span className="tag tag-ok">Reviewed</span>}
          {t.user_id === null ? (
            <span data-testid="access">Public — no owner; anyone with the link can open it</span>
          ) : (
            isOwner && <span data-testid="access">Access: {SHARE_MODES.find((m) => m.mode === t.share_mode)?.label}</span>
          )}
        </p>
        <div className="actions">
          {isOwner && <ShareDialog transcript={t} />}
          <ExportMenu id={t.id} name={t.title || t.name} audio={!t.audio_deleted && ended} />
          <Link className="button" to={`/transcripts/${t.id}/correct`}>
            Correct speakers
          </Link>
        </div>
      </div>

      {!ended && <ProcessingView transcript={t} progress={progress} connection={connection} />}

      {ended &&
        (t.audio_deleted ? (
          <InfoNotice>The audio of this meeting was deleted for privacy; the transcript remains.</InfoNotice>
        ) : waveform.isError && !waveform.data ? (
          <ErrorNotice error={waveform.error} title="The waveform is not available" />
        ) : waveform.data ? (
          <div className="player-sticky">
            <Player
              transcriptId={t.id}
              peaks={waveform.data.data}
              duration={durationS}
              markers={markers}
              playback={playback}
              onMarker={(mid) => {
                const i = topics.data?.findIndex((tp) => tp.id === mid) ?? -1;
                if (i >= 0 && flat.topicFirstSegment[i] < flat.segments.length) list.current?.scrollToSegment(flat.topicFirstSegment[i]);
              }}
            />
          </div>
        ) : (
          <Loading label="Loading the waveform…" />
        ))}

      <div className="transcript-grid">
        <aside className="card topics-column" aria-labelledby="topics-heading">
          <h2 id="topics-heading">Topics</h2>
          {topics.isError ? <ErrorNotice error={topics.error} /> : topics.data ? <TopicList topics={topics.data} playback={playback} onSelect={seekTopic} /> : <Loading />}
        </aside>
        <div className="main-column">
          <SummaryPanel transcript={t} onSeek={seek} />
          <ActionItems items={t.action_items} onSeek={seek} />
          <section className="card" aria-labelledby="transcript-heading">
            <h2 id="transcript-heading">Transcript</h2>
            {topics.data && <TranscriptList ref={list} flat={flat} topics={topics.data} participants={t.participants} playback={playback} />}
          </section>
        </div>
      </div>
    </section>
  );
}

/** What a visitor sees when the owner has not shared the transcript with them. */
function NotShared({ signedIn }: { signedIn: boolean }) {
  return (
    <section className="page narrow" data-testid="not-shared">
      <h1>This transcript is not shared with you</h1>
      {signedIn ? (
        <p className="lead">Its owner keeps it private. Ask them to share it with you.</p>
      ) : (
        <>
          <p className="lead">Its owner has not made it public.</p>
          <p>
            If it is shared with signed-in users, <Link to={loginPath(window.location.pathname)}>sign in</Link> and come back to it.
          </p>
        </>
      )}
      <p>
        <Link to="/browse">Browse transcripts</Link>
      </p>
    </section>
  );
}
