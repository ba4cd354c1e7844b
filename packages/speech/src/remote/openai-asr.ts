// Speech recognition through any OpenAI-compatible /v1/audio/transcriptions endpoint (OpenAI, Groq,
// speaches, LocalAI, vLLM ...), asking for verbose_json with word timestamps.
import type { AsrEngine, Pcm, TranscribeOptions, TranscriptionResult, Word } from '../types.ts';
import { SpeechError } from '../types.ts';
import { authHeaders, finiteNumber, requestJson, type RemoteOptions } from './http.ts';
import { pcmToWav } from './wav.ts';

export interface OpenAiAsrOptions extends RemoteOptions {
  /** Model name the endpoint knows, e.g. 'whisper-1' or 'Systran/faster-whisper-small'. */
  model?: string;
  id?: string;
  quality?: AsrEngine['quality'];
}

interface VerboseJson {
  text?: string;
  language?: string;
  duration?: number;
  words?: { word: string; start: number; end: number }[];
  segments?: { start: number; end: number; text: string }[];
}

/** OpenAI answers with English language names; the rest of the system speaks ISO 639-1. */
const LANGUAGE_CODES: Record<string, string> = {
  english: 'en', french: 'fr', german: 'de', spanish: 'es', italian: 'it', portuguese: 'pt', dutch: 'nl',
  russian: 'ru', polish: 'pl', ukrainian: 'uk', czech: 'cs', swedish: 'sv', danish: 'da', norwegian: 'no',
  finnish: 'fi', greek: 'el', turkish: 'tr', arabic: 'ar', hebrew: 'he', hindi: 'hi', japanese: 'ja',
  korean: 'ko', chinese: 'zh', vietnamese: 'vi', indonesian: 'id', romanian: 'ro', hungarian: 'hu',
  catalan: 'ca', bulgarian: 'bg', croatian: 'hr', slovak: 'sk', slovenian: 'sl', estonian: 'et',
  latvian: 'lv', lithuanian: 'lt', maltese: 'mt', thai: 'th', persian: 'fa', malay: 'ms', tamil: 'ta',
};

export function transcriptionsUrl(base: string): string {
  const b = base.replace(/\/+$/, '');
  if (b.endsWith('/audio/transcriptions')) return b;
  if (/\/v\d+$/.test(b)) return `${b}/audio/transcriptions`;
  return `${b}/v1/audio/transcriptions`;
}

export class OpenAiAsr implements AsrEngine {
  readonly id: string;
  readonly quality: AsrEngine['quality'];
  readonly languages = 'any' as const;
  private readonly endpoint: string;

  constructor(private readonly opts: OpenAiAsrOptions) {
    if (!opts.url) throw new SpeechError('the OpenAI-compatible transcription backend needs TRANSCRIPT_URL', 'unavailable');
    this.endpoint = transcriptionsUrl(opts.url);
    this.id = opts.id ?? 'openai';
    this.quality = opts.quality ?? 'best';
  }

  async transcribe(pcm: Pcm, opts: TranscribeOptions = {}): Promise<TranscriptionResult> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(pcmToWav(pcm))], { type: 'audio/wav' }), 'clip.wav');
    form.append('model', this.opts.model ?? 'whisper-1');
    form.append('response_format', 'verbose_json');
    form.append('timestamp_granularities[]', 'word');
    form.append('timestamp_granularities[]', 'segment');
    if (opts.language && opts.language !== 'auto') form.append('language', opts.language);
    const res = await requestJson<VerboseJson>('OpenAI-compatible transcription', this.endpoint, {
      method: 'POST',
      headers: authHeaders(this.opts.apiKey),
      body: form,
      timeoutMs: this.opts.timeoutMs,
      signal: opts.signal,
    });
    const offset = opts.timestampOffset ?? 0;
    const words = res.words?.length ? wordsFromWords(res.words, offset) : wordsFromSegments(res.segments ?? [], offset);
    const detected = res.language ? (LANGUAGE_CODES[res.language.toLowerCase()] ?? res.language.toLowerCase()) : undefined;
    const language = opts.language && opts.language !== 'auto' ? opts.language : (detected ?? 'en');
    const text = (res.text ?? words.map((w) => w.text).join('')).trim();
    return { text, words, language };
  }
}

/** OpenAI words carry no spacing; our Word convention puts a leading space on every word but the first. */
function withSpace(word: string, index: number): string {
  const w = word.trim();
  return index === 0 ? w : ` ${w}`;
}

function wordsFromWords(words: NonNullable<VerboseJson['words']>, offset: number): Word[] {
  return words
    .filter((w) => String(w.word ?? '').trim())
    .map((w, i) => ({
      text: withSpace(String(w.word), i),
      start: finiteNumber(w.start, 'word start') + offset,
      end: finiteNumber(w.end, 'word end') + offset,
    }));
}

/** Endpoints that ignore timestamp_granularities still give segments: spread each segment's time over its
 * words in proportion to their length, which keeps words in the right segment at least. */
function wordsFromSegments(segments: NonNullable<VerboseJson['segments']>, offset: number): Word[] {
  const out: Word[] = [];
  for (const seg of segments) {
    const tokens = String(seg.text ?? '').split(/\s+/).filter(Boolean);
    if (tokens.length === 0) continue;
    const start = finiteNumber(seg.start, 'segment start');
    const span = Math.max(0, finiteNumber(seg.end, 'segment end') - start);
    const total = tokens.reduce((n, t) => n + t.length, 0);
    let t = start;
    for (const token of tokens) {
      const d = (span * token.length) / total;
      out.push({ text: withSpace(token, out.length), start: round2(t + offset), end: round2(t + d + offset) });
      t += d;
    }
  }
  return out;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
