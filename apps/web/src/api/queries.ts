// React Query hooks over the typed client, and the cache keys that WebSocket events invalidate.
import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client.ts';
import type { SearchQuery, TranscriptDetail, TranscriptFormat, TranscriptPatch } from './types.ts';

export const keys = {
  transcript: (id: string) => ['transcript', id] as const,
  export: (id: string, format: TranscriptFormat) => ['transcript', id, 'export', format] as const,
  topics: (id: string) => ['transcript', id, 'topics'] as const,
  waveform: (id: string) => ['transcript', id, 'waveform'] as const,
  participants: (id: string) => ['transcript', id, 'participants'] as const,
  lists: ['transcripts'] as const,
  search: (q: SearchQuery) => ['transcripts', 'search', q] as const,
};

export const transcriptQuery = (id: string) =>
  queryOptions({
    queryKey: keys.transcript(id),
    // Plain text is the cheapest rendering to produce and send; the pages take the words from topics/with-words.
    queryFn: () => unwrap(api.GET('/v1/transcripts/{id}', { params: { path: { id }, query: { transcript_format: 'text' } } })),
  });

export const topicsQuery = (id: string) =>
  queryOptions({
    queryKey: keys.topics(id),
    queryFn: () => unwrap(api.GET('/v1/transcripts/{id}/topics/with-words', { params: { path: { id } } })),
    // Tens of thousands of words: comparing old and new deeply costs more than it saves.
    structuralSharing: false,
  });

export const waveformQuery = (id: string) =>
  queryOptions({
    queryKey: keys.waveform(id),
    queryFn: () => unwrap(api.GET('/v1/transcripts/{id}/audio/waveform', { params: { path: { id } } })),
    retry: false,
  });

export function useTranscript(id: string) {
  return useQuery(transcriptQuery(id));
}

export function fetchExport(id: string, format: TranscriptFormat) {
  return unwrap(api.GET('/v1/transcripts/{id}', { params: { path: { id }, query: { transcript_format: format } } }));
}

export function useTopics(id: string) {
  return useQuery(topicsQuery(id));
}

export function useWaveform(id: string) {
  return useQuery(waveformQuery(id));
}

export function useSearch(q: SearchQuery) {
  return useQuery({
    queryKey: keys.search(q),
    queryFn: () => unwrap(api.GET('/v1/transcripts/search', { params: { query: q } })),
    placeholderData: keepPreviousData,
  });
}

export function usePatchTranscript(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: TranscriptPatch) => unwrap(api.PATCH('/v1/transcripts/{id}', { params: { path: { id } }, body })),
    onSuccess: (updated) => {
      qc.setQueryData<TranscriptDetail>(keys.transcript(id), (old) => (old ? ({ ...old, ...updated } as TranscriptDetail) : old));
      void qc.invalidateQueries({ queryKey: keys.lists });
    },
    meta: { showsOwnError: true },
  });
}

export type ShareMode = TranscriptDetail['share_mode'];

/**
 * Changes who may open a transcript. The page shows the new mode at once and puts the old one back if the
 * server refuses; the caller reports the refusal.
 */
export function useShareMode(id: string) {
  const qc = useQueryClient();
  const setMode = (mode: ShareMode) => qc.setQueryData<TranscriptDetail>(keys.transcript(id), (old) => (old ? { ...old, share_mode: mode } : old));
  const mutationKey = ['share-mode', id];
  return useMutation({
    mutationKey,
    mutationFn: (mode: ShareMode) => unwrap(api.PATCH('/v1/transcripts/{id}', { params: { path: { id } }, body: { share_mode: mode } })),
    onMutate: async (mode) => {
      await qc.cancelQueries({ queryKey: keys.transcript(id), exact: true });
      const previous = qc.getQueryData<TranscriptDetail>(keys.transcript(id))?.share_mode;
      setMode(mode);
      return { previous };
    },
    onError: (_err, mode, context) => {
      // Only when nothing newer was chosen meanwhile.
      const shown = qc.getQueryData<TranscriptDetail>(keys.transcript(id))?.share_mode;
      if (context?.previous && shown === mode) setMode(context.previous);
    },
    onSuccess: (updated) => {
      // A later choice still on its way wins over this answer.
      if (qc.isMutating({ mutationKey }) <= 1) setMode(updated.share_mode);
    },
    meta: { showsOwnError: true },
  });
}

export function useProcess(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/v1/transcripts/{id}/process', { params: { path: { id } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.transcript(id) });
      void qc.invalidateQueries({ queryKey: keys.lists });
    },
  });
}

export function useDeleteTranscript() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/transcripts/{id}', { params: { path: { id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.lists }),
  });
}

declare module '@tanstack/react-query' {
  interface Register {
    mutationMeta: { showsOwnError?: boolean };
  }
}
