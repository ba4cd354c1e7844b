// Structured calls to any OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, ...). The answer must
// match a JSON schema; an invalid answer is sent back with the error and asked again. Server errors,
// rate limits, timeouts and dropped connections are retried with backoff by the SDK.
import OpenAI from 'openai';
import { z } from 'zod';

export interface LlmOptions {
  url: string;
  apiKey?: string;
  model: string;
  /** Tokens the model accepts in one request (prompt and answer). */
  contextWindow: number;
  /** Re-asks after an answer that is not valid JSON for the schema. */
  parseRetries: number;
  timeoutSeconds: number;
  /** Retries of failed requests (5xx, 429, timeouts, connection errors). */
  requestRetries?: number;
}

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

export class LlmError extends Error {
  constructor(
    message: string,
    readonly kind: 'request' | 'invalid_answer',
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

export class LlmClient {
  private readonly client: OpenAI;

  constructor(readonly options: LlmOptions) {
    this.client = new OpenAI({
      baseURL: options.url.replace(/\/+$/, ''),
      apiKey: options.apiKey || 'not-needed',
      timeout: options.timeoutSeconds * 1000,
      maxRetries: options.requestRetries ?? 3,
    });
  }

  /** Asks for an answer matching `schema`; returns it parsed and validated. */
  async structured<T>(name: string, schema: z.ZodType<T>, messages: ChatMessage[], opts: { temperature?: number; signal?: AbortSignal } = {}): Promise<T> {
    const jsonSchema = z.toJSONSchema(schema, { target: 'draft-7' }) as Record<string, unknown>;
    delete jsonSchema.$schema;
    const conversation: ChatMessage[] = [...messages];
    let lastProblem = '';
    for (let attempt = 0; attempt <= this.options.parseRetries; attempt++) {
      let content: string;
      try {
        const completion = await this.client.chat.completions.create(
          {
            model: this.options.model,
            messages: conversation,
            temperature: opts.temperature ?? 0.2,
            response_format: { type: 'json_schema', json_schema: { name, schema: jsonSchema, strict: true } },
          },
          { signal: opts.signal },
        );
        content = completion.choices[0]?.message?.content ?? '';
      } catch (err) {
        const e = err as { status?: number; message?: string };
        const what = e.status ? `answered ${e.status}` : (e.message ?? String(err));
        throw new LlmError(`LLM request to ${this.options.url} failed: ${what}`, 'request');
      }
      const problem = parseProblem(content, schema);
      if (problem.ok) return problem.value;
      lastProblem = problem.error;
      conversation.push(
        { role: 'assistant', content },
        { role: 'user', content: `That answer is not valid: ${problem.error}. Answer again with only a JSON object that matches the schema.` },
      );
    }
    throw new LlmError(`the LLM gave no valid answer for ${name} after ${this.options.parseRetries + 1} attempts (${lastProblem})`, 'invalid_answer');
  }
}

function parseProblem<T>(content: string, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; error: string } {
  let data: unknown;
  try {
    data = JSON.parse(stripFences(content));
  } catch (err) {
    return { ok: false, error: `it is not JSON (${(err as Error).message})` };
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    error: parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`)
      .join('; '),
  };
}

/** Some local models wrap JSON in a Markdown code fence despite the schema. */
function stripFences(text: string): string {
  const m = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(text);
  return m ? m[1] : text.trim();
}

/** A rough token count (about four characters per token for English), used to split long meetings. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
