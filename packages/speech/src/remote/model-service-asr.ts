// Speech recognition through the model-service API (ours in apps/transcription, or the reference product's
// GPU container): POST /v1/audio/transcriptions (multipart) and /v1/audio/transcriptions-from-url (JSON).
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import type { AsrEngine, Pcm, TranscribeOptions, TranscriptionResult, Word } from '../types.ts';
import { SpeechError } from '../types.ts';
import { authHeaders, finiteNumber, joinUrl, requestJson, type RemoteOptions } from './http.ts';
import { pcmToWav } from './wav.ts';

export interface ModelServiceAsrOptions extends RemoteOptions {
  /** Sent as the `model` form field; the service picks its default when unset. */
  model?: string;
  /** Engine id reported to the UI. */
  id?: string;
  quality?: AsrEngine['quality'];
}

/** The words array of the model-service API. */
export interface WireWord {
  word: string;
  start: number;
  end: number;
}

export interface WireTranscription {
  text: string;
  words: WireWord[];
  filename?: string;
}

const SERVICE = 'model service';

export class ModelServiceAsr implements AsrEngine {
  readonly id: string;
  readonly quality: AsrEngine['quality'];
  readonly languages = 'any' as const;

  constructor(private readonly opts: ModelServiceAsrOptions) {
    if (!opts.url) throw new SpeechError('the model-service transcription backend needs TRANSCRIPT_URL', 'unavailable');
    this.id = opts.id ?? 'modal';
    this.quality = opts.quality ?? 'best';
  }

  /** One ≤ 30 s clip, sent as a WAV upload. */
  async transcribe(pcm: Pcm, opts: TranscribeOptions = {}): Promise<TranscriptionResult> {
    const blob = new Blob([new Uint8Array(pcmToWav(pcm))], { type: 'audio/wav' });
    return this.upload(blob, 'clip.wav', opts);
  }

  /** A whole file, streamed from disk (the service runs its own VAD and batching). */
  async transcribeFile(path: string, opts: TranscribeOptions = {}): Promise<TranscriptionResult> {
    const blob = await openAsBlob(path);
    return this.upload(blob, basename(path), opts);
  }

  /** A recording the service downloads itself (e.g. a presigned storage URL). */
  async transcribeUrl(audioUrl: string, opts: TranscribeOptions = {}): Promise<TranscriptionResult> {
    const language = opts.language ?? 'en';
    const body: Record<string, unknown> = { audio_file_url: audioUrl, language, timestamp_offset: opts.timestampOffset ?? 0 };
    if (this.opts.model) body.model = this.opts.model;
    const res = await requestJson<WireTranscription>(SERVICE, joinUrl(this.opts.url, '/v1/audio/transcriptions-from-url'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders(this.opts.apiKey) },
      body: JSON.stringify(body),
      timeoutMs: this.opts.timeoutMs,
      signal: opts.signal,
    });
    // The service already applied timestamp_offset.
    return fromWire(res, language, 0);
  }

  private async upload(blob: Blob, filename: string, opts: TranscribeOptions): Promise<TranscriptionResult> {
    const language = opts.language ?? 'en';
    const form = new FormData();
    form.append('file', blob, filename);
    if (this.opts.model) form.append('model', this.opts.model);
    form.append('language', language);
    const res = await requestJson<WireTranscription>(SERVICE, joinUrl(this.opts.url, '/v1/audio/transcriptions'), {
      method: 'POST',
      headers: authHeaders(this.opts.apiKey),
      body: form,
      timeoutMs: this.opts.timeoutMs,
      signal: opts.signal,
    });
    return fromWire(res, language, opts.timestampOffset ?? 0);
  }
}

export function fromWire(res: WireTranscription, language: string, offset: number): TranscriptionResult {
  if (!res || !Array.isArray(res.words)) throw new SpeechError(`${SERVICE}: the answer has no words array`, 'engine');
  const words: Word[] = res.words.map((w, i) => ({
    text: String(w.word ?? ''),
    start: finiteNumber(w.start, `words[${i}].start`) + offset,
    end: finiteNumber(w.end, `words[${i}].end`) + offset,
  }));
  const text = typeof res.text === 'string' ? res.text : words.map((w) => w.text).join('');
  return { text: text.trim(), words, language };
}
