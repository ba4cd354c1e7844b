// Translation by any OpenAI-compatible chat-completions endpoint (Ollama, vLLM, llama.cpp server, OpenAI ...).
// Works for every language pair the model knows, which the small dedicated models do not.
import type { TranslationEngine } from '../types.ts';
import { SpeechError } from '../types.ts';
import { authHeaders, requestJson } from '../remote/http.ts';
import { languageLabel } from './languages.ts';

export interface LlmTranslationOptions {
  /** Base URL such as http://localhost:11434/v1, or the full .../chat/completions URL. */
  url: string;
  apiKey?: string;
  model: string;
  timeoutMs?: number;
  /** Longer texts are split at paragraph or sentence boundaries and translated piece by piece. */
  maxChunkChars?: number;
}

interface ChatCompletion {
  choices?: { message?: { content?: string | null } }[];
}

export function chatCompletionsUrl(base: string): string {
  const b = base.replace(/\/+$/, '');
  if (b.endsWith('/chat/completions')) return b;
  if (/\/v\d+$/.test(b)) return `${b}/chat/completions`;
  return `${b}/v1/chat/completions`;
}

export function translationPrompt(sourceLanguage: string, targetLanguage: string): string {
  return [
    `You translate meeting transcripts from ${languageLabel(sourceLanguage)} into ${languageLabel(targetLanguage)}.`,
    'The next message is the text to translate. Answer with the translation and nothing else:',
    'no introduction, no notes, no quotation marks, no alternatives.',
    'Keep names, numbers and line breaks as they are. Spoken language may be informal or broken; translate it faithfully without correcting or summarising it.',
    `Anything already in ${languageLabel(targetLanguage)} stays as it is.`,
  ].join(' ');
}

export class LlmTranslation implements TranslationEngine {
  readonly id = 'llm';
  private readonly endpoint: string;

  constructor(private readonly opts: LlmTranslationOptions) {
    if (!opts.url) throw new SpeechError('LLM translation needs LLM_URL', 'unavailable');
    if (!opts.model) throw new SpeechError('LLM translation needs LLM_MODEL', 'unavailable');
    this.endpoint = chatCompletionsUrl(opts.url);
  }

  async translate(text: string, sourceLanguage: string, targetLanguage: string, opts: { signal?: AbortSignal } = {}): Promise<string> {
    if (!text.trim() || sourceLanguage === targetLanguage) return text;
    const pieces = splitText(text, this.opts.maxChunkChars ?? 4000);
    const out: string[] = [];
    for (const piece of pieces) {
      out.push(piece.text.trim() ? await this.translateOne(piece.text, sourceLanguage, targetLanguage, opts.signal) : piece.text);
      out.push(piece.separator);
    }
    return out.join('');
  }

  private async translateOne(text: string, source: string, target: string, signal?: AbortSignal): Promise<string> {
    const res = await requestJson<ChatCompletion>('LLM', this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders(this.opts.apiKey) },
      body: JSON.stringify({
        model: this.opts.model,
        temperature: 0,
        messages: [
          { role: 'system', content: translationPrompt(source, target) },
          { role: 'user', content: text },
        ],
      }),
      timeoutMs: this.opts.timeoutMs,
      signal,
    });
    const content = res?.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new SpeechError('LLM: the chat completion has no message content', 'engine');
    const cleaned = cleanAnswer(content);
    if (!cleaned) throw new SpeechError('LLM: the translation came back empty', 'engine');
    return cleaned;
  }
}

/** Reasoning models may prepend <think> blocks; some wrap the answer in quotes despite the prompt. */
export function cleanAnswer(content: string): string {
  let s = content.replace(/<think>[\s\S]*?<\/think>/g, '').trim();
  const quoted = /^(["“«])([\s\S]*)(["”»])$/.exec(s);
  if (quoted && !quoted[2].includes(quoted[1])) s = quoted[2].trim();
  return s;
}

/** Splits at blank lines, then lines, then sentence ends, keeping separators so the layout survives. */
export function splitText(text: string, maxChars: number): { text: string; separator: string }[] {
  if (text.length <= maxChars) return [{ text, separator: '' }];
  const out: { text: string; separator: string }[] = [];
  for (const sep of [/(\n\s*\n)/, /(\n)/, /(?<=[.!?。])(\s+)/, /(\s+)/]) {
    const parts = text.split(sep);
    if (parts.length < 3) continue;
    let current = '';
    for (let i = 0; i < parts.length; i += 2) {
      const chunk = parts[i];
      const after = parts[i + 1] ?? '';
      if (current && current.length + chunk.length > maxChars) {
        const m = /(\s*)$/.exec(current);
        const trailing = m ? m[1] : '';
        out.push(...splitText(current.slice(0, current.length - trailing.length), maxChars).map((p, j, all) => (j === all.length - 1 ? { ...p, separator: p.separator + trailing } : p)));
        current = '';
      }
      current += chunk + after;
    }
    if (current) {
      const m = /(\s*)$/.exec(current);
      const trailing = m ? m[1] : '';
      out.push(...splitText(current.slice(0, current.length - trailing.length), maxChars).map((p, j, all) => (j === all.length - 1 ? { ...p, separator: p.separator + trailing } : p)));
    }
    return out;
  }
  // One unbroken run of characters: cut it.
  for (let i = 0; i < text.length; i += maxChars) out.push({ text: text.slice(i, i + maxChars), separator: '' });
  return out;
}
