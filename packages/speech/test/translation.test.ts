// Translators: passthrough, and the LLM one against a server speaking the chat-completions wire format.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatCompletionsUrl, cleanAnswer, LlmTranslation, splitText, translationPrompt } from '../src/translation/llm.ts';
import { PassthroughTranslation } from '../src/translation/passthrough.ts';
import { json, startFakeServer, type FakeServer } from './remote-fake-server.ts';

interface ChatRequest {
  model: string;
  temperature?: number;
  messages: { role: string; content: string }[];
}

describe('PassthroughTranslation', () => {
  it('returns the text unchanged', async () => {
    const t = new PassthroughTranslation();
    expect(t.id).toBe('passthrough');
    expect(await t.translate('Bonjour à tous.', 'fr', 'fr')).toBe('Bonjour à tous.');
  });
});

describe('LlmTranslation', () => {
  let server: FakeServer;
  const requests: { auth: string | null; path: string; body: ChatRequest }[] = [];
  // A tiny "model": a dictionary applied word by word, so the test can check what came back.
  const dictionary: Record<string, string> = { good: 'gut', morning: 'Morgen', everyone: 'alle', the: 'das', plan: 'Plan', is: 'ist', ready: 'fertig' };
  beforeAll(async () => {
    server = await startFakeServer(async ({ url, headers, request }) => {
      const body = (await request.json()) as ChatRequest;
      requests.push({ auth: headers.get('authorization'), path: url.pathname, body });
      if (body.model === 'broken') return json({ error: { message: 'model "broken" not found', type: 'invalid_request_error' } }, 404);
      const user = body.messages.find((m) => m.role === 'user')!.content;
      const translated = user.replace(/[A-Za-z]+/g, (w) => dictionary[w.toLowerCase()] ?? w);
      const content = body.model === 'thinker' ? `<think>The user wants German.</think>\n"${translated}"` : translated;
      return json({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      });
    });
  });
  afterAll(() => server.close());

  it('builds the endpoint from the usual base URL forms', () => {
    expect(chatCompletionsUrl('http://localhost:11434/v1')).toBe('http://localhost:11434/v1/chat/completions');
    expect(chatCompletionsUrl('http://llm:8000')).toBe('http://llm:8000/v1/chat/completions');
    expect(chatCompletionsUrl('http://llm/v1/chat/completions/')).toBe('http://llm/v1/chat/completions');
  });

  it('asks for the translation only, naming source and target, and returns the answer', async () => {
    const t = new LlmTranslation({ url: `${server.url}/v1`, apiKey: 'llm-key', model: 'phi-4' });
    expect(await t.translate('Good morning everyone', 'en', 'de')).toBe('gut Morgen alle');
    const req = requests.at(-1)!;
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.auth).toBe('Bearer llm-key');
    expect(req.body.model).toBe('phi-4');
    expect(req.body.temperature).toBe(0);
    expect(req.body.messages).toEqual([
      { role: 'system', content: translationPrompt('en', 'de') },
      { role: 'user', content: 'Good morning everyone' },
    ]);
    expect(req.body.messages[0].content).toContain('English (en)');
    expect(req.body.messages[0].content).toContain('German (de)');
    expect(req.body.messages[0].content).toMatch(/nothing else/);
  });

  it('passes unknown language codes through as they are', () => {
    expect(translationPrompt('xx', 'yy')).toMatch(/from xx into yy/);
  });

  it('strips reasoning blocks and wrapping quotes', async () => {
    const t = new LlmTranslation({ url: server.url, model: 'thinker' });
    expect(await t.translate('the plan is ready', 'en', 'de')).toBe('das Plan ist fertig');
    expect(cleanAnswer('«Salut»')).toBe('Salut');
    expect(cleanAnswer('"He said "hi" twice"')).toBe('"He said "hi" twice"');
  });

  it('skips the call for equal languages and empty text', async () => {
    const before = requests.length;
    const t = new LlmTranslation({ url: server.url, model: 'phi-4' });
    expect(await t.translate('Good morning', 'en', 'en')).toBe('Good morning');
    expect(await t.translate('  ', 'en', 'de')).toBe('  ');
    expect(requests.length).toBe(before);
  });

  it('translates long texts piece by piece and keeps the layout', async () => {
    const para = 'Good morning everyone. The plan is ready.';
    const text = [para, para, para].join('\n\n');
    const t = new LlmTranslation({ url: server.url, model: 'phi-4', maxChunkChars: 50 });
    const before = requests.length;
    const out = await t.translate(text, 'en', 'de');
    expect(requests.length - before).toBe(3);
    expect(out).toBe(['gut Morgen alle. das Plan ist fertig.', 'gut Morgen alle. das Plan ist fertig.', 'gut Morgen alle. das Plan ist fertig.'].join('\n\n'));
  });

  it('reports the endpoint error message', async () => {
    const t = new LlmTranslation({ url: server.url, model: 'broken' });
    await expect(t.translate('hello', 'en', 'de')).rejects.toThrow(/LLM POST .*\/v1\/chat\/completions failed: HTTP 404 model "broken" not found/);
  });
});

describe('splitText', () => {
  it('never loses or reorders a character', () => {
    const text = 'One. Two three!\n\nFour five six seven.\nEight nine. ' + 'x'.repeat(30) + ' end';
    for (const max of [5, 10, 20, 40, 1000]) {
      const pieces = splitText(text, max);
      expect(pieces.map((p) => p.text + p.separator).join('')).toBe(text);
      for (const p of pieces) expect(p.text.length).toBeLessThanOrEqual(max);
    }
  });
});
