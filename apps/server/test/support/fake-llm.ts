// A local stand-in for an OpenAI-compatible LLM server: POST /v1/chat/completions with
// response_format json_schema, answered in the real wire format. The default answers are derived from
// the transcript in the prompt, so they stay consistent with the meeting; tests can inject failures.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content: string }>;
  response_format?: { type: string; json_schema?: { name: string; schema: unknown; strict?: boolean } };
}

/** What to do with a request: an answer body (string), an HTTP error, or hang (never answer). */
export type Reply = string | { status: number; body?: unknown } | 'hang';
export type Responder = (req: ChatRequest, n: number) => Reply | undefined;

export interface FakeLlm {
  url: string;
  requests: ChatRequest[];
  /** Replaces the answers; return undefined to fall back to the default answer. */
  respond(fn: Responder | null): void;
  close(): Promise<void>;
}

const LINE = /^\[(\d+):(\d{2})\] ([^:]+): (.*)$/;

function transcriptLines(prompt: string) {
  return prompt
    .split('\n')
    .map((l) => LINE.exec(l.trim()))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ time: `${m[1]}:${m[2]}`, speaker: m[3], text: m[4] }));
}

const firstWords = (text: string, n: number) => text.replace(/[^\w\s']/g, '').split(/\s+/).filter(Boolean).slice(0, n).join(' ');
const firstSentence = (text: string) => (/^.*?[.!?](\s|$)/.exec(text)?.[0] ?? text).trim();

export function defaultAnswer(req: ChatRequest): unknown {
  const name = req.response_format?.json_schema?.name ?? '';
  const prompt = req.messages.filter((m) => m.role === 'user').map((m) => m.content)[0] ?? '';
  const lines = transcriptLines(prompt);
  switch (name) {
    case 'topics': {
      const topics = [];
      for (let i = 0; i < lines.length; i += 6) {
        const block = lines.slice(i, i + 6);
        topics.push({ title: firstWords(block[0].text, 5) || 'Topic', summary: firstSentence(block.map((l) => l.text).join(' ')), start: block[0].time });
      }
      return { topics };
    }
    case 'title': {
      const first = /- ([^:\n]+):/.exec(prompt)?.[1] ?? 'the meeting';
      return { title: `Meeting about ${first}` };
    }
    case 'notes':
      return {
        points: lines.filter((_, i) => i % 3 === 0).map((l) => ({ text: firstSentence(l.text), times: [l.time] })),
        decisions: lines.filter((l) => /decided|agreed/i.test(l.text)).map((l) => ({ decision: firstSentence(l.text), decided_by: l.speaker, times: [l.time] })),
        next_steps: lines.filter((l) => /\bwill\b/i.test(l.text)).map((l) => ({ task: firstSentence(l.text), assigned_to: l.speaker, times: [l.time] })),
        speaker_names: [],
      };
    case 'summary':
    case 'combine': {
      const points = [...prompt.matchAll(/^- (.+) \(([\d:, ]*)\)$/gm)].map((m) => ({ text: m[1], times: m[2].split(',').map((s) => s.trim()).filter(Boolean) }));
      const half = Math.ceil(points.length / 2);
      return {
        recap: points.slice(0, 3).map((p) => p.text).join(' ') || 'A short meeting.',
        short_summary: points[0]?.text ?? 'A short meeting.',
        subjects: [
          { title: 'First part', summary: 'What came first.', points: points.slice(0, half) },
          { title: 'Second part', summary: 'What came next.', points: points.slice(half) },
        ].filter((s) => s.points.length),
      };
    }
    case 'translation':
      return { translation: prompt };
    default:
      return {};
  }
}

/**
 * Plain chat (no schema) is how translation asks: the answer marks every line as translated, keeping the
 * line structure, so tests can tell a translated line from the original.
 */
export function plainAnswer(req: ChatRequest): string {
  const text = req.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  return text
    .split('\n')
    .map((line) => (line.trim() ? `[translated] ${line}` : line))
    .join('\n');
}

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export async function startFakeLlm(): Promise<FakeLlm> {
  const requests: ChatRequest[] = [];
  let responder: Responder | null = null;
  const hanging = new Set<import('node:http').ServerResponse>();
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const body = (await readJson(req)) as ChatRequest;
    requests.push(body);
    const reply = responder?.(body, requests.length) ?? (body.response_format ? JSON.stringify(defaultAnswer(body)) : plainAnswer(body));
    if (reply === 'hang') {
      hanging.add(res);
      return;
    }
    if (typeof reply !== 'string') {
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body ?? { error: { message: 'server error', type: 'server_error' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    respond(fn) {
      responder = fn;
    },
    async close() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
