// POST /translate?text=... → {text: {<source>: original, <target>: translation}}.
// Languages are read from the JSON body (the reference service's contract) or the query (what the reference
// server actually sends); the body wins when both are given. Long texts may come in the body as `text`.
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.ts';
import { HttpError } from '../errors.ts';

interface TranslateBody {
  text?: string;
  source_language?: string;
  target_language?: string;
}

const LANGUAGE = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$/;

export function translateRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post<{ Querystring: TranslateBody; Body: TranslateBody | undefined }>(
    '/translate',
    {
      schema: {
        summary: 'Translate text',
        querystring: {
          type: 'object',
          properties: { text: { type: 'string' }, source_language: { type: 'string' }, target_language: { type: 'string' } },
        },
        response: {
          200: {
            type: 'object',
            description: 'keys are the source and target language codes',
            properties: { text: { type: 'object', additionalProperties: { type: 'string' } } },
          },
        },
      },
    },
    async (req) => {
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as TranslateBody;
      const text = body.text ?? req.query.text;
      if (typeof text !== 'string') throw new HttpError(422, 'text is required (query parameter, or "text" in the JSON body)');
      const source = String(body.source_language ?? req.query.source_language ?? 'en');
      const target = String(body.target_language ?? req.query.target_language ?? 'fr');
      for (const [name, code] of [['source_language', source], ['target_language', target]] as const) {
        if (!LANGUAGE.test(code)) throw new HttpError(400, `${name} must be a language code such as "en" or "pt-BR", got ${JSON.stringify(code)}`);
      }
      const engine = ctx.translation;
      const translated = source === target || !text.trim() ? text : await ctx.locks.for(engine).run(() => engine.translate(text, source, target));
      return { text: { [source]: text, [target]: translated } };
    },
  );
}
