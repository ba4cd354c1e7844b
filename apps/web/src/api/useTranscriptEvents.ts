// Follows one transcript's events: keeps the React Query caches fresh (so no page needs a manual
// refresh) and exposes the live-only progress and the connection state.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { openEventSocket, type SocketState } from './events.ts';
import { keys } from './queries.ts';
import type { TranscriptDetail, TranscriptEvent } from './types.ts';

export interface Progress {
  stage: string;
  percent: number | null;
}

export function useTranscriptEvents(id: string | undefined, onEvent?: (e: TranscriptEvent) => void) {
  const qc = useQueryClient();
  const [state, setState] = useState<{ state: SocketState; detail?: string }>({ state: 'connecting' });
  const [progress, setProgress] = useState<Progress | null>(null);
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    if (!id) return;
    // Replays arrive in bursts on connect: invalidate once per burst, not once per event.
    const pending = new Set<string>();
    let flush: ReturnType<typeof setTimeout> | undefined;
    const invalidate = (what: 'transcript' | 'topics' | 'lists') => {
      pending.add(what);
      clearTimeout(flush);
      flush = setTimeout(() => {
        if (pending.has('transcript')) void qc.invalidateQueries({ queryKey: keys.transcript(id), exact: true });
        if (pending.has('topics')) void qc.invalidateQueries({ queryKey: keys.topics(id) });
        if (pending.has('lists')) void qc.invalidateQueries({ queryKey: keys.lists });
        pending.clear();
      }, 150);
    };
    const close = openEventSocket(`/v1/transcripts/${encodeURIComponent(id)}/events`, {
      onState: (s, detail) => setState({ state: s, detail }),
      onReconnect: () => {
        invalidate('transcript');
        invalidate('topics');
      },
      onEvent: (e) => {
        switch (e.event) {
          case 'STATUS':
            qc.setQueryData<TranscriptDetail>(keys.transcript(id), (old) =>
              old ? ({ ...old, status: e.data.value, error: e.data.error ?? (e.data.value === 'error' ? old.error : null) } as TranscriptDetail) : old,
            );
            if (e.data.value !== 'processing') setProgress(null);
            invalidate('transcript');
            invalidate('lists');
            if (e.data.value === 'ended') {
              invalidate('topics');
              void qc.invalidateQueries({ queryKey: keys.waveform(id) });
            }
            break;
          case 'PROGRESS': {
            const d = e.data as { stage?: unknown; percent?: unknown };
            setProgress({ stage: typeof d.stage === 'string' ? d.stage : 'processing', percent: typeof d.percent === 'number' ? d.percent : null });
            break;
          }
          case 'WAVEFORM':
            qc.setQueryData(keys.waveform(id), { data: e.data.waveform });
            break;
          case 'TOPIC':
            invalidate('topics');
            break;
          case 'FINAL_TITLE':
          case 'FINAL_LONG_SUMMARY':
          case 'FINAL_SHORT_SUMMARY':
          case 'ACTION_ITEMS':
          case 'DURATION':
            invalidate('transcript');
            break;
          default:
            break;
        }
        handler.current?.(e);
      },
    });
    return () => {
      clearTimeout(flush);
      close();
    };
  }, [id, qc]);

  return { connection: state, progress };
}
