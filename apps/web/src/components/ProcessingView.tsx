import { Link } from 'react-router-dom';
import { useProcess } from '../api/queries.ts';
import type { Progress } from '../api/useTranscriptEvents.ts';
import type { TranscriptDetail } from '../api/types.ts';
import { ErrorNotice } from './Notice.tsx';

const STATUS_TEXT: Record<string, string> = {
  idle: 'Waiting for a recording',
  uploaded: 'Uploaded, waiting for a worker',
  recording: 'Recording',
  processing: 'Processing',
  ended: 'Done',
  error: 'Processing failed',
};

const STAGE_TEXT: Record<string, string> = {
  convert: 'Converting audio',
  transcode: 'Converting audio',
  waveform: 'Drawing the waveform',
  transcribe: 'Transcribing',
  transcription: 'Transcribing',
  diarize: 'Telling speakers apart',
  diarization: 'Telling speakers apart',
  translate: 'Translating',
  topics: 'Finding topics',
  summary: 'Writing the summary',
  title: 'Choosing a title',
};

export function stageText(stage: string): string {
  return STAGE_TEXT[stage] ?? stage.charAt(0).toUpperCase() + stage.slice(1).replace(/[_-]/g, ' ');
}

export function ProcessingView({ transcript, progress, connection }: { transcript: TranscriptDetail; progress: Progress | null; connection: { state: string; detail?: string } }) {
  const retry = useProcess(transcript.id);
  const failed = transcript.status === 'error';
  const pct = progress?.percent ?? null;
  return (
    <div className="card processing" aria-busy={!failed}>
      <h2>{STATUS_TEXT[transcript.status] ?? transcript.status}</h2>
      {!failed && (
        <>
          <p aria-live="polite" data-testid="stage">
            {progress ? stageText(progress.stage) : transcript.status === 'uploaded' ? 'Queued' : 'Starting…'}
            {pct !== null ? ` · ${Math.round(pct)}%` : ''}
          </p>
          {pct !== null ? (
            <progress max={100} value={pct} aria-label="Processing progress" />
          ) : (
            <progress aria-label="Processing progress" />
          )}
        </>
      )}
      {failed && (
        <ErrorNotice error={new Error(transcript.error || 'The server did not give a reason.')} title="Reason">
          <div className="actions">
            <button type="button" className="button button-primary" onClick={() => retry.mutate()} disabled={retry.isPending}>
              {retry.isPending ? 'Retrying…' : 'Retry processing'}
            </button>
          </div>
        </ErrorNotice>
      )}
      {connection.state === 'retrying' && <p className="hint">Live updates interrupted. {connection.detail}</p>}
      {connection.state === 'refused' && <p className="hint">Live updates unavailable: {connection.detail}</p>}
      <p className="hint">
        You can leave this page; processing continues. <Link to="/browse">Browse transcripts</Link>
      </p>
    </div>
  );
}
