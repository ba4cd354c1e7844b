// Participant and speaker mutations of the correction page; each refreshes the transcript and its topics.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client.ts';
import { keys } from './queries.ts';

export function useSpeakerMutations(id: string) {
  const qc = useQueryClient();
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: keys.transcript(id) });
  };
  const path = { params: { path: { id } } };
  const opts = { onSuccess: refresh, meta: { showsOwnError: true } };
  return {
    create: useMutation({
      mutationFn: (body: { name: string; speaker?: number }) => unwrap(api.POST('/v1/transcripts/{id}/participants', { ...path, body })),
      ...opts,
    }),
    rename: useMutation({
      mutationFn: ({ pid, name }: { pid: string; name: string }) =>
        unwrap(api.PATCH('/v1/transcripts/{id}/participants/{participant_id}', { params: { path: { id, participant_id: pid } }, body: { name } })),
      ...opts,
    }),
    remove: useMutation({
      mutationFn: (pid: string) => unwrap(api.DELETE('/v1/transcripts/{id}/participants/{participant_id}', { params: { path: { id, participant_id: pid } } })),
      ...opts,
    }),
    assign: useMutation({
      mutationFn: (body: { participant?: string; speaker?: number; timestamp_from: number; timestamp_to: number }) =>
        unwrap(api.PATCH('/v1/transcripts/{id}/speaker/assign', { ...path, body })),
      ...opts,
    }),
    merge: useMutation({
      mutationFn: (body: { speaker_from: number; speaker_to: number }) => unwrap(api.PATCH('/v1/transcripts/{id}/speaker/merge', { ...path, body })),
      ...opts,
    }),
  };
}
