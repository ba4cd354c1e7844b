// Speaker diarization through the model-service API: POST /diarize?audio_file_url=...&timestamp=...
// The reference service only accepts a URL it can fetch; ours also accepts the file as a multipart upload.
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import type { DiarizationEngine, DiarizeOptions, SpeakerSegment } from '../types.ts';
import { SpeechError } from '../types.ts';
import { authHeaders, finiteNumber, joinUrl, requestJson, type RemoteOptions } from './http.ts';
import type { PublishFile } from './publish-file.ts';

export interface ModelServiceDiarizationOptions extends RemoteOptions {
  /** Makes a local file reachable by URL (storage presigned URL, or publishFileOverHttp). Without it, files are
   * uploaded in the request body, which only this project's service understands. */
  publishFile?: PublishFile;
  id?: string;
}

interface WireDiarization {
  diarization: { start: number; end: number; speaker: number | string }[];
}

const SERVICE = 'diarization service';

export class ModelServiceDiarization implements DiarizationEngine {
  readonly id: string;

  constructor(private readonly opts: ModelServiceDiarizationOptions) {
    if (!opts.url) throw new SpeechError('the model-service diarization backend needs DIARIZATION_URL', 'unavailable');
    this.id = opts.id ?? 'modal';
  }

  async diarizeFile(path: string, opts: DiarizeOptions = {}): Promise<SpeakerSegment[]> {
    if (this.opts.publishFile) {
      const published = await this.opts.publishFile(path);
      try {
        return await this.diarizeUrl(published.url, { signal: opts.signal });
      } finally {
        await published.release();
      }
    }
    const form = new FormData();
    form.append('file', await openAsBlob(path), basename(path));
    try {
      const res = await requestJson<WireDiarization>(SERVICE, joinUrl(this.opts.url, '/diarize'), {
        method: 'POST',
        headers: authHeaders(this.opts.apiKey),
        body: form,
        timeoutMs: this.opts.timeoutMs,
        signal: opts.signal,
      });
      return fromWire(res, 0);
    } catch (err) {
      if ((err as { status?: number }).status === 422) {
        throw new SpeechError(
          `${(err as Error).message}. This service only diarizes audio it can download: give the recording a URL it can reach (storage with presigned URLs)`,
          'unavailable',
        );
      }
      throw err;
    }
  }

  /** Diarizes audio the service downloads itself; `timestamp` (seconds) is added to every segment. */
  async diarizeUrl(audioUrl: string, opts: { timestamp?: number; signal?: AbortSignal } = {}): Promise<SpeakerSegment[]> {
    const q = new URLSearchParams({ audio_file_url: audioUrl, timestamp: String(opts.timestamp ?? 0) });
    const res = await requestJson<WireDiarization>(SERVICE, joinUrl(this.opts.url, `/diarize?${q}`), {
      method: 'POST',
      headers: authHeaders(this.opts.apiKey),
      timeoutMs: this.opts.timeoutMs,
      signal: opts.signal,
    });
    return fromWire(res, 0);
  }
}

function speakerIndex(value: number | string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  const digits = /(\d+)\s*$/.exec(String(value));
  if (!digits) throw new SpeechError(`${SERVICE}: speaker label ${JSON.stringify(value)} has no number`, 'engine');
  return Number(digits[1]);
}

function fromWire(res: WireDiarization, offset: number): SpeakerSegment[] {
  if (!res || !Array.isArray(res.diarization)) throw new SpeechError(`${SERVICE}: the answer has no diarization array`, 'engine');
  return res.diarization.map((s, i) => ({
    start: finiteNumber(s.start, `diarization[${i}].start`) + offset,
    end: finiteNumber(s.end, `diarization[${i}].end`) + offset,
    speaker: speakerIndex(s.speaker),
  }));
}
