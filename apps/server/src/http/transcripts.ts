// /v1/transcripts: create, list, read (in several formats), change and delete transcripts.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assertCanCreate, assertCanList, currentUser } from '../auth/policy.ts';
import { publishUserEvent } from '../events/transcript-events.ts';
import { transcriptDetail, TranscriptDetail, transcriptWithParticipants } from '../transcripts/detail.ts';
import { deleteTranscript, TranscriptPatch, updateTranscript } from '../transcripts/editing.ts';
import { TRANSCRIPT_FORMATS } from '../transcripts/formats.ts';
import { listTranscripts, ListQuery, TranscriptPage } from '../transcripts/listing.ts';
import { createTranscript, getReadableTranscript, SourceKind, TranscriptWithParticipants } from '../transcripts/repository.ts';
import { errorResponses } from './error-responses.ts';
import { trustedResponse } from './trusted-response.ts';

const tags = ['transcripts'];
const IdParams = z.object({ id: z.string().describe('transcript id') });

const CreateBody = z.object({
  name: z.string().nullable().optional().describe('defaults to "Transcript YYYY-MM-DD HH:MM:SS" (UTC)'),
  source_language: z.string().min(1).default('en'),
  target_language: z.string().min(1).default('en'),
  source_kind: SourceKind.default('live'),
});

export const transcriptRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;

  app.get(
    '/v1/transcripts',
    {
      schema: {
        tags,
        operationId: 'v1_transcripts_list',
        summary: 'List the transcripts the caller may see',
        querystring: ListQuery,
        response: { 200: TranscriptPage, ...errorResponses(401) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      assertCanList(ctx.config, user);
      return listTranscripts(ctx, user, request.query);
    },
  );

  app.post(
    '/v1/transcripts',
    {
      schema: {
        tags,
        operationId: 'v1_transcripts_create',
        summary: 'Create an empty transcript to record or upload into',
        body: CreateBody,
        response: { 200: TranscriptWithParticipants, ...errorResponses(401) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      assertCanCreate(ctx.config, user);
      const row = await createTranscript(ctx, { ...request.body, user_id: user?.sub ?? null });
      await publishUserEvent(ctx, row.userId, 'TRANSCRIPT_CREATED', { id: row.id });
      return transcriptWithParticipants(ctx, row);
    },
  );

  app.get(
    '/v1/transcripts/:id',
    {
      schema: {
        tags,
        operationId: 'v1_transcript_get',
        summary: 'Read a transcript, with its text in the requested format',
        params: IdParams,
        querystring: z.object({ transcript_format: z.enum(TRANSCRIPT_FORMATS).default('text') }),
        response: { 200: TranscriptDetail, ...errorResponses(403, 404) },
      },
      ...trustedResponse,
    },
    async (request) => {
      const row = await getReadableTranscript(ctx, request.params.id, currentUser(request));
      return transcriptDetail(ctx, row, request.query.transcript_format);
    },
  );

  app.patch(
    '/v1/transcripts/:id',
    {
      schema: {
        tags,
        operationId: 'v1_transcript_update',
        summary: 'Change the given fields of a transcript (owner only)',
        params: IdParams,
        body: TranscriptPatch,
        response: { 200: TranscriptWithParticipants, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const row = await updateTranscript(ctx, request.params.id, currentUser(request), request.body);
      return transcriptWithParticipants(ctx, row);
    },
  );

  app.delete(
    '/v1/transcripts/:id',
    {
      schema: {
        tags,
        operationId: 'v1_transcript_delete',
        summary: 'Delete a transcript with its audio and files (owner only)',
        params: IdParams,
        response: { 200: z.object({ status: z.literal('ok') }), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      await deleteTranscript(ctx, request.params.id, currentUser(request));
      return { status: 'ok' as const };
    },
  );
};
