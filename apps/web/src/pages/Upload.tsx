import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { keys, useTranscript } from '../api/queries.ts';
import { uploadFile, UploadCancelled, type UploadHandle, type UploadProgress } from '../api/upload.ts';
import { ErrorNotice, Loading } from '../components/Notice.tsx';
import { formatBytes, formatClock } from '../lib/time.ts';

const ACCEPT = 'audio/*,video/*,.mp3,.m4a,.wav,.ogg,.opus,.flac,.aac,.webm,.mp4,.mov,.mkv';

export default function UploadPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const transcript = useTranscript(id);
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [dragging, setDragging] = useState(false);
  const [cancelledNote, setCancelledNote] = useState(false);
  const handle = useRef<UploadHandle | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => () => handle.current?.cancel(), []);

  const start = (f: File) => {
    setFile(f);
    setError(null);
    setCancelledNote(false);
    const h = uploadFile(id, f, setProgress);
    handle.current = h;
    h.done.then(
      () => {
        handle.current = null;
        void qc.invalidateQueries({ queryKey: keys.transcript(id) });
        void qc.invalidateQueries({ queryKey: keys.lists });
        navigate(`/transcripts/${id}/processing`);
      },
      (err) => {
        handle.current = null;
        setProgress(null);
        if (err instanceof UploadCancelled) setCancelledNote(true);
        else setError(err);
      },
    );
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const f = e.dataTransfer.files[0];
    if (f && !handle.current) start(f);
  };

  if (transcript.isPending) return <Loading />;
  if (transcript.isError) return <ErrorNotice error={transcript.error} title="Cannot open this transcript" />;
  const t = transcript.data;
  const busy = progress !== null;
  const pct = progress && progress.total ? Math.floor((progress.sent / progress.total) * 100) : 0;
  const remaining = progress && progress.speed > 0 ? (progress.total - progress.sent) / progress.speed : null;

  if (t.status !== 'idle' && !busy) {
    return (
      <section className="page narrow">
        <h1>{t.title || t.name}</h1>
        <p>
          This transcript already has its recording. <Link to={`/transcripts/${id}/processing`}>Follow its processing</Link>.
        </p>
      </section>
    );
  }

  return (
    <section className="page narrow">
      <h1>Upload a recording</h1>
      <p className="lead">{t.name}</p>
      <div
        className={`dropzone${dragging ? ' dropzone-active' : ''}${busy ? ' dropzone-busy' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          if (!busy) setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        {!busy ? (
          <>
            <p>Drop an audio or video file here</p>
            <p className="hint">MP3, M4A, WAV, OGG, FLAC, WebM, MP4, MOV and other formats</p>
            <button type="button" className="button button-primary" onClick={() => input.current?.click()}>
              Choose a file
            </button>
            <input
              ref={input}
              type="file"
              accept={ACCEPT}
              className="visually-hidden"
              aria-label="Recording file"
              data-testid="file-input"
              onChange={(e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (f) start(f);
              }}
            />
          </>
        ) : (
          <div className="upload-progress">
            <p>
              Uploading <strong>{file?.name}</strong> ({formatBytes(progress.total)})
            </p>
            <progress max={100} value={pct} aria-label="Upload progress">
              {pct}%
            </progress>
            <p className="hint" aria-live="polite">
              {pct}% · {formatBytes(progress.sent)} of {formatBytes(progress.total)} · {formatBytes(Math.round(progress.speed))}/s
              {remaining !== null && remaining > 1 ? ` · about ${formatClock(remaining)} left` : ''}
            </p>
            <button type="button" className="button" onClick={() => handle.current?.cancel()}>
              Cancel upload
            </button>
          </div>
        )}
      </div>
      {cancelledNote && <p className="hint">Upload cancelled. Choose a file to start again.</p>}
      {error !== null && <ErrorNotice error={error} title="The upload failed" />}
    </section>
  );
}
