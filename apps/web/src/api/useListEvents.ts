// Keeps a list of transcripts current: the signed-in user's event socket when there is a session, and the
// transcript sockets of listed items that are still being processed (anonymous visitors have no user
// channel, and these are the items that change).
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { openEventSocket } from './events.ts';
import { keys } from './queries.ts';
import { getToken } from './session.ts';

export function useListEvents(activeIds: readonly string[]) {
  const qc = useQueryClient();
  const idsKey = useMemo(() => [...activeIds].sort().join(','), [activeIds]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void qc.invalidateQueries({ queryKey: keys.lists }), 200);
    };
    const closers: Array<() => void> = [];
    for (const id of idsKey ? idsKey.split(',') : []) {
      closers.push(
        openEventSocket(`/v1/transcripts/${encodeURIComponent(id)}/events`, {
          onEvent: (e) => {
            if (e.event === 'STATUS' || e.event === 'FINAL_TITLE' || e.event === 'DURATION') refresh();
          },
        }),
      );
    }
    return () => {
      clearTimeout(timer);
      for (const c of closers) c();
    };
  }, [idsKey, qc]);

  useEffect(() => {
    if (!getToken()) return;
    return openEventSocket('/v1/events', {
      onEvent: () => void qc.invalidateQueries({ queryKey: keys.lists }),
    });
  }, [qc]);
}
