// The processed recording: GET/HEAD /v1/transcripts/{id}/audio/mp3 with byte ranges (streamed from
// storage, a ranged read for S3 as well), GET /v1/transcripts/{id}/audio/waveform, and
// POST /v1/transcripts/{id}/audio/token, which hands out a short-lived `?token=` for both: an <audio>
// element cannot send an Authorization header, so a private recording is played through such a URL.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentUser, type UserInfo } from '../auth/policy.ts';
import { AUDIO_TOKEN_TTL_SECONDS, signAudioToken, verifyAudioToken } from '../auth/tokens.ts';
import type { AppContext } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { StorageNotFound } from '../storage/index.ts';
import { audioKey, waveformKey } from '../transcripts/files.ts';
import { getReadableTranscript } from '../transcripts/repository.ts';
import { parseRange } from './byte-range.ts';
import { errorResponses } from './error-responses.ts';

const Params = z.object({ id: z.string() });
const TokenQuery = z.object({
  token: z.string().optional().describe('an audio token from POST /v1/transcripts/{id}/audio/token, for clients that cannot send Authorization'),
});
const MAX_WAVEFORM_BYTES = 1024 * 1024;

const badToken = (detail: string) => new HttpError(401, detail, { 'www-authenticate': 'Bearer' });

/**
 * Whose read rights apply to an audio request: with `?token=`, the identity the token was issued to (a
 * bad, expired or other transcript's token is a 401, whatever else the request carries); otherwise the
 * request's own credentials.
 */
async function audioReader(ctx: AppContext, request: FastifyRequest, id: string): Promise<UserInfo | null> {
  const token = (request.query as { token?: string } | undefined)?.token;
  if (token === undefined) return currentUser(request);
  const r = await verifyAudioToken(ctx.config.SECRET_KEY, token, id);
  if (!r.ok) throw badToken(r.reason === 'expired' ? 'Audio token expired' : 'Invalid audio token');
  return r.sub ? { sub: r.sub, email: null } : currentUser(request);
}

async function readableAudio(ctx: AppContext, request: FastifyRequest, id: string) {
  const t = await getReadableTranscript(ctx, id, await audioReader(ctx, request, id));
  if (t.audioDeleted) throw notFound('Audio unavailable due to privacy settings');
  const key = audioKey(id);
  const stored = await ctx.storage.stat(key);
  if (!stored) throw notFound('Audio file not found');
  return { key, size: stored.size };
}

function commonHeaders(reply: FastifyReply, length: number) {
  reply.headers({
    'content-type': 'audio/mpeg',
    'accept-ranges': 'bytes',
    'content-encoding': 'identity',
    'content-length': String(length),
  });
}

export const audioRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;

  app.get(
    '/v1/transcripts/:id/audio/mp3',
    {
      exposeHeadRoute: false,
      schema: {
        tags: ['transcripts'],
        operationId: 'v1_transcript_get_audio_mp3',
        summary: 'Download the recording as mp3 (byte ranges supported)',
        params: Params,
        querystring: TokenQuery,
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { key, size } = await readableAudio(ctx, request, id);
      const range = parseRange(request.headers.range, size);
      if (range.kind === 'unsatisfiable') {
        throw new HttpError(416, `Requested range is not satisfiable; the file has ${size} bytes`, { 'content-range': `bytes */${size}` });
      }
      reply.header('content-disposition', `attachment; filename=recording_${id.split('-')[0]}.mp3`);
      try {
        if (range.kind === 'partial') {
          const body = await ctx.storage.get(key, { start: range.start, end: range.end });
          commonHeaders(reply, range.end - range.start + 1);
          return reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`).send(body);
        }
        const body = await ctx.storage.get(key);
        commonHeaders(reply, size);
        return reply.send(body);
      } catch (err) {
        if (err instanceof StorageNotFound) throw notFound('Audio file not found');
        throw err;
      }
    },
  );

  app.head(
    '/v1/transcripts/:id/audio/mp3',
    {
      schema: {
        tags: ['transcripts'],
        operationId: 'v1_transcript_head_audio_mp3',
        summary: 'Size and type of the mp3 recording',
        params: Params,
        querystring: TokenQuery,
      },
    },
    async (request, reply) => {
      const { size } = await readableAudio(ctx, request, request.params.id);
      commonHeaders(reply, size);
      return reply.send();
    },
  );

  app.get(
    '/v1/transcripts/:id/audio/waveform',
    {
      schema: {
        tags: ['transcripts'],
        operationId: 'v1_transcript_get_audio_waveform',
        summary: 'Peaks of the recording for drawing its waveform',
        params: Params,
        querystring: TokenQuery,
        response: { 200: z.object({ data: z.array(z.number()).describe('about 255 values between 0 and 1') }), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      await getReadableTranscript(ctx, id, await audioReader(ctx, request, id));
      const key = waveformKey(id);
      const stored = await ctx.storage.stat(key);
      if (!stored) throw notFound('Audio not found');
      const data = stored.size <= MAX_WAVEFORM_BYTES ? parseWaveform(await readText(ctx, key)) : null;
      if (!data) {
        // A damaged file would fail forever; removing it lets the next processing run write a good one.
        request.log.warn({ transcriptId: id }, 'removing unreadable waveform file');
        await ctx.storage.delete(key);
        throw notFound('Audio not found');
      }
      return { data };
    },
  );

  app.post(
    '/v1/transcripts/:id/audio/token',
    {
      schema: {
        tags: ['transcripts'],
        operationId: 'v1_transcript_audio_token',
        summary: 'A short-lived URL of the recording for players that cannot send Authorization',
        description:
          `For anyone who may read the transcript. The token opens the mp3 and the waveform of this transcript only, ` +
          `for ${AUDIO_TOKEN_TTL_SECONDS / 60} minutes, with the rights of the caller who obtained it; ask again for a new one when it expires.`,
        params: Params,
        response: {
          200: z.object({
            token: z.string(),
            url: z.string().describe('the mp3 URL with the token'),
            expires_at: z.string().describe('ISO 8601'),
            expires_in: z.number().int().describe('seconds until the token expires, for clients whose clock differs from the server'),
          }),
          ...errorResponses(401, 403, 404),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const user = currentUser(request);
      await getReadableTranscript(ctx, id, user);
      const { token, expiresAt } = await signAudioToken(ctx.config.SECRET_KEY, id, user?.sub ?? null);
      const url = `${request.protocol}://${request.host}/v1/transcripts/${encodeURIComponent(id)}/audio/mp3?token=${encodeURIComponent(token)}`;
      return { token, url, expires_at: expiresAt.toISOString(), expires_in: AUDIO_TOKEN_TTL_SECONDS };
    },
  );
};

async function readText(ctx: AppContext, key: string): Promise<string | null> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await ctx.storage.get(key)) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    if (err instanceof StorageNotFound) throw notFound('Audio not found');
    throw err;
  }
}

/** The waveform is stored as a plain array, or as an object with `data` (or `waveform`) holding it. */
export function parseWaveform(text: string | null): number[] | null {
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as { data?: unknown; waveform?: unknown };
    value = o.data ?? o.waveform;
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) return null;
  return value as number[];
}
