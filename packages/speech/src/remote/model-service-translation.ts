// Translation through the model-service API: POST /translate?text=... → {text: {<src>: original, <tgt>: translation}}.
// The languages go both in the JSON body (what the reference service reads) and in the query (what the
// reference server sends, and what ours also reads).
import type { TranslationEngine } from '../types.ts';
import { SpeechError } from '../types.ts';
import { authHeaders, joinUrl, requestJson, type RemoteOptions } from './http.ts';

export interface ModelServiceTranslationOptions extends RemoteOptions {
  id?: string;
}

/** Above this, the text would make the request line too long for most servers; ours also reads it from the body. */
const MAX_QUERY_TEXT = 4000;

export class ModelServiceTranslation implements TranslationEngine {
  readonly id: string;

  constructor(private readonly opts: ModelServiceTranslationOptions) {
    if (!opts.url) throw new SpeechError('the model-service translation backend needs TRANSLATE_URL', 'unavailable');
    this.id = opts.id ?? 'modal';
  }

  async translate(text: string, sourceLanguage: string, targetLanguage: string, opts: { signal?: AbortSignal } = {}): Promise<string> {
    if (!text.trim() || sourceLanguage === targetLanguage) return text;
    const languages = { source_language: sourceLanguage, target_language: targetLanguage };
    const inQuery = encodeURIComponent(text).length <= MAX_QUERY_TEXT;
    const q = new URLSearchParams({ ...(inQuery ? { text } : {}), ...languages });
    const res = await requestJson<{ text: Record<string, string> }>('translation service', joinUrl(this.opts.url, `/translate?${q}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders(this.opts.apiKey) },
      body: JSON.stringify(inQuery ? languages : { ...languages, text }),
      timeoutMs: this.opts.timeoutMs,
      signal: opts.signal,
    });
    const translated = res?.text?.[targetLanguage];
    if (typeof translated !== 'string') {
      throw new SpeechError(
        `translation service: the answer has no "${targetLanguage}" text (got keys ${JSON.stringify(Object.keys(res?.text ?? {}))}); it may not support ${sourceLanguage}→${targetLanguage}`,
        'engine',
      );
    }
    return translated;
  }
}
