// Chunked upload (50 MB parts, one after another) with progress. XMLHttpRequest because fetch reports no
// upload progress; the path and its query are those of the generated client's
// POST /v1/transcripts/{id}/record/upload.
import { ApiError, apiUrl, describeError } from './client.ts';
import type { paths } from './schema';
import { getToken, sessionExpired } from './session.ts';

type UploadQuery = paths['/v1/transcripts/{id}/record/upload']['post']['parameters']['query'];
export const CHUNK_BYTES = 50 * 1024 * 1024;

export interface UploadProgress {
  sent: number;
  total: number;
  /** Bytes per second over the last few seconds. */
  speed: number;
}

export interface UploadHandle {
  done: Promise<void>;
  cancel(): void;
}

export class UploadCancelled extends Error {
  constructor() {
    super('Upload cancelled');
  }
}

export function uploadFile(transcriptId: string, file: File, onProgress: (p: UploadProgress) => void, chunkBytes = CHUNK_BYTES): UploadHandle {
  let current: XMLHttpRequest | null = null;
  let cancelled = false;
  const total = file.size;
  const totalChunks = Math.max(1, Math.ceil(total / chunkBytes));
  const samples: Array<{ t: number; sent: number }> = [];

  const report = (sent: number) => {
    const now = performance.now();
    samples.push({ t: now, sent });
    while (samples.length > 2 && now - samples[0].t > 3000) samples.shift();
    const first = samples[0];
    const speed = now > first.t ? ((sent - first.sent) * 1000) / (now - first.t) : 0;
    onProgress({ sent, total, speed });
  };

  const sendChunk = (index: number) =>
    new Promise<void>((resolve, reject) => {
      const start = index * chunkBytes;
      const blob = file.slice(start, Math.min(total, start + chunkBytes));
      const query: UploadQuery = { chunk_number: index, total_chunks: totalChunks };
      const url = apiUrl(
        `/v1/transcripts/${encodeURIComponent(transcriptId)}/record/upload?chunk_number=${query.chunk_number}&total_chunks=${query.total_chunks}`,
      );
      const form = new FormData();
      form.append('chunk', blob, file.name || 'blob');
      const xhr = new XMLHttpRequest();
      current = xhr;
      xhr.open('POST', url);
      const token = getToken();
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (e) => report(start + Math.min(e.loaded, blob.size));
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) return resolve();
        let body: unknown;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = null;
        }
        if (xhr.status === 401 && token && getToken() === token) sessionExpired();
        reject(new ApiError(xhr.status, describeError(xhr.status, body)));
      };
      xhr.onerror = () => reject(new ApiError(0, 'The connection to the server was lost during the upload.'));
      xhr.onabort = () => reject(new UploadCancelled());
      xhr.send(form);
    });

  const done = (async () => {
    report(0);
    for (let i = 0; i < totalChunks; i++) {
      if (cancelled) throw new UploadCancelled();
      await sendChunk(i);
    }
    report(total);
  })();

  return {
    done,
    cancel() {
      cancelled = true;
      current?.abort();
    },
  };
}
