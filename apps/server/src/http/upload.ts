// Chunked upload of a recording: POST /v1/transcripts/{id}/record/upload?chunk_number=&total_chunks=
// with a multipart field `chunk`. Chunks are streamed to disk; the last one merges them, checks the
// result with ffprobe, moves it to storage and queues processing.
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { probe, SpeechError } from '@reflector/speech';
import { assertCanFeed, currentUser } from '../auth/policy.ts';
import type { AppContext } from '../context.ts';
import { badRequest, HttpError } from '../errors.ts';
import { setTranscriptStatus } from '../events/transcript-events.ts';
import { enqueueProcessing } from '../jobs/handlers.ts';
import { uploadChunksDir, uploadKey } from '../transcripts/files.ts';
import { getReadableTranscript } from '../transcripts/repository.ts';
import { extensionForFormat, mergeChunks, missingChunks, safeExtension, saveChunk } from '../transcripts/upload-chunks.ts';

const MAX_CHUNKS = 100_000;

const Params = z.object({ id: z.string() });
const Query = z.object({
  chunk_number: z.coerce.number().int().min(0).describe('0-based index of this chunk'),
  total_chunks: z.coerce.number().int().min(1).max(MAX_CHUNKS).describe('number of chunks of the whole file'),
});

/** A 422 in the same shape as schema validation errors, for checks that span several fields. */
export function fieldError(where: 'query' | 'body' | 'path', field: string, msg: string): HttpError {
  return new HttpError(422, [{ loc: [where, field], msg, type: 'value_error', field }]);
}

/** Merges run one at a time per transcript in this process, so two final chunks cannot interleave. */
const merging = new Map<string, Promise<unknown>>();
function exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
  const previous = merging.get(id) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(fn);
  const tail = run.catch(() => {});
  merging.set(id, tail);
  void tail.then(() => {
    if (merging.get(id) === tail) merging.delete(id);
  });
  return run;
}

async function assertCanUpload(ctx: AppContext, request: FastifyRequest, id: string) {
  const user = currentUser(request);
  const t = await getReadableTranscript(ctx, id, user);
  assertCanFeed(ctx.config, user, { user_id: t.userId, share_mode: t.shareMode });
  if (t.locked) throw badRequest('Transcript is locked');
  if (t.uploadKey || t.status === 'uploaded' || t.status === 'processing') throw badRequest('There is already an upload in progress');
  return t;
}

export const uploadRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  const maxChunk = ctx.config.UPLOAD_MAX_CHUNK_BYTES;
  await app.register(multipart, { limits: { fileSize: maxChunk, files: 1, fields: 20, parts: 21 } });
  const tooLarge = () =>
    new HttpError(413, `Chunk is larger than the limit of ${maxChunk} bytes (UPLOAD_MAX_CHUNK_BYTES); send the file in smaller chunks`);

  app.post(
    '/v1/transcripts/:id/record/upload',
    {
      schema: {
        tags: ['transcripts'],
        operationId: 'v1_transcript_record_upload',
        summary: 'Upload a recording in chunks',
        description:
          'Send the file in order as multipart/form-data chunks (field `chunk`). The last chunk completes the upload: the parts are joined, checked with ffprobe and processing starts.',
        params: Params,
        querystring: Query,
        consumes: ['multipart/form-data'],
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { chunk_number: n, total_chunks: total } = request.query;
      if (n >= total) throw fieldError('query', 'chunk_number', `chunk_number must be less than total_chunks (${total})`);
      await assertCanUpload(ctx, request, id);

      const declared = Number(request.headers['content-length']);
      // Multipart framing adds a few hundred bytes around the file.
      if (Number.isFinite(declared) && declared > maxChunk + 64 * 1024) throw tooLarge();
      if (!request.isMultipart()) throw new HttpError(415, "Send the chunk as multipart/form-data with a file field named 'chunk'");

      const part = await request.file({ limits: { fileSize: maxChunk } }).catch((err: { code?: string }) => {
        if (err.code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
        throw badRequest(`Malformed multipart body: ${(err as Error).message}`);
      });
      if (!part) throw fieldError('body', 'chunk', "the file field 'chunk' is missing");
      if (part.fieldname !== 'chunk') {
        part.file.resume();
        throw fieldError('body', 'chunk', `expected the file in a field named 'chunk', got '${part.fieldname}'`);
      }

      const dir = uploadChunksDir(ctx.config, id);
      try {
        await saveChunk(dir, n, part.file);
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
        throw err;
      }
      if (part.file.truncated) {
        await rm(path.join(dir, `chunk_${n}`), { force: true });
        throw tooLarge();
      }
      if (n < total - 1) return { status: 'ok' as const };

      await exclusive(id, () => completeUpload(ctx, request, id, total, safeExtension(part.filename)));
      return { status: 'ok' as const };
    },
  );
};

async function completeUpload(ctx: AppContext, request: FastifyRequest, id: string, total: number, nameExt: string | null): Promise<void> {
  await assertCanUpload(ctx, request, id);
  const dir = uploadChunksDir(ctx.config, id);
  const missing = await missingChunks(dir, total);
  if (missing.length) {
    const list = missing.length > 10 ? `${missing.slice(0, 10).join(', ')} and ${missing.length - 10} more` : missing.join(', ');
    throw badRequest(`Upload is incomplete: chunk${missing.length > 1 ? 's' : ''} ${list} of ${total} missing; send ${missing.length > 1 ? 'them' : 'it'} and then the last chunk again`);
  }
  const merged = path.join(dir, `upload.${nameExt ?? 'bin'}`);
  // From here the chunks are consumed: whatever happens, the directory goes.
  try {
    const size = await mergeChunks(dir, total, merged);
    if (size === 0) throw badRequest('The uploaded file is empty');
    let info;
    try {
      info = await probe(merged);
    } catch (err) {
      if (err instanceof SpeechError && err.kind === 'bad_input') throw badRequest(`The uploaded file is not usable audio or video: ${err.message}`);
      throw err;
    }
    // ffprobe reads plain text as "ANSI art" video; say what it really is.
    if (info.format === 'tty') throw badRequest('The uploaded file is not usable audio or video: it looks like a text file');
    if (!info.hasAudio) throw badRequest('File has no audio stream');

    const key = uploadKey(id, extensionForFormat(info.format) ?? nameExt ?? 'bin');
    await ctx.storage.put(key, createReadStream(merged), { size });
    const claimed = await ctx.database.query<{ id: string }>(
      `UPDATE transcript SET upload_key = $2, source_kind = 'file', error = NULL
       WHERE id = $1 AND upload_key IS NULL AND status NOT IN ('uploaded', 'processing') RETURNING id`,
      [id, key],
    );
    if (!claimed.length) throw badRequest('There is already an upload in progress');
    await setTranscriptStatus(ctx, id, 'uploaded');
    await enqueueProcessing(ctx, id);
  } finally {
    // Parts, the merged file and any stale chunks of an abandoned attempt.
    await rm(dir, { recursive: true, force: true });
  }
}
