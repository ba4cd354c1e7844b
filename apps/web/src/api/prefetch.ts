// Starts the transcript page's requests while its code is still downloading: on a direct visit the data
// and the page's chunk arrive in parallel instead of one after the other.
import type { QueryClient } from '@tanstack/react-query';
import { topicsQuery, transcriptQuery, waveformQuery } from './queries.ts';

export function prefetchForLocation(qc: QueryClient, pathname: string): void {
  const m = /^\/transcripts\/([^/]+)(\/correct)?\/?$/.exec(pathname);
  if (!m || m[1] === 'new') return;
  const id = decodeURIComponent(m[1]);
  void qc.prefetchQuery(transcriptQuery(id));
  void qc.prefetchQuery(topicsQuery(id));
  if (!m[2]) void qc.prefetchQuery(waveformQuery(id));
}
