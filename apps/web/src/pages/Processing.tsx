import { useEffect } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { useTranscript } from '../api/queries.ts';
import { useTranscriptEvents } from '../api/useTranscriptEvents.ts';
import { ErrorNotice, Loading } from '../components/Notice.tsx';
import { ProcessingView } from '../components/ProcessingView.tsx';

export default function ProcessingPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const transcript = useTranscript(id);
  const { progress, connection } = useTranscriptEvents(id);
  const status = transcript.data?.status;

  useEffect(() => {
    if (status === 'ended') navigate(`/transcripts/${id}`, { replace: true });
    else if (status === 'idle') navigate(`/transcripts/${id}/upload`, { replace: true });
  }, [status, id, navigate]);

  if (transcript.isPending) return <Loading />;
  if (transcript.isError) return <ErrorNotice error={transcript.error} title="Cannot open this transcript" />;
  return (
    <section className="page narrow">
      <h1>{transcript.data.title || transcript.data.name}</h1>
      <ProcessingView transcript={transcript.data} progress={progress} connection={connection} />
    </section>
  );
}
