// /v1/transcripts/{id}/speaker: correcting who said what. Topics, the stored WebVTT and the search text are
// rewritten in the same transaction.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentUser } from '../auth/policy.ts';
import { mutateTranscript } from '../transcripts/content.ts';
import { assignSpeaker, mergeSpeakers } from '../transcripts/speakers.ts';
import { errorResponses } from './error-responses.ts';
import { assertSpeakerEditor } from './participants.ts';

const tags = ['speaker'];
const IdParams = z.object({ id: z.string().describe('transcript id') });
const Ok = z.object({ status: z.literal('ok') });

const Assignment = z.object({
  speaker: z.number().int().min(0).nullable().optional().describe('speaker index to give the words; or use participant'),
  participant: z.string().nullable().optional().describe('participant id whose speaker the words get; or use speaker'),
  timestamp_from: z.number().describe('seconds; words starting at or after this'),
  timestamp_to: z.number().describe('seconds; words starting at or before this'),
});

const Merge = z.object({
  speaker_from: z.number().int().min(0),
  speaker_to: z.number().int().min(0),
});

export const speakerRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;

  app.patch(
    '/v1/transcripts/:id/speaker/assign',
    {
      schema: {
        tags,
        operationId: 'v1_transcript_assign_speaker',
        summary: 'Give the words of a time range to a speaker or participant',
        params: IdParams,
        body: Assignment,
        response: { 200: Ok, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      await mutateTranscript(ctx, request.params.id, (row) => {
        assertSpeakerEditor(user, row);
        const r = assignSpeaker(row.topics, row.participants, request.body);
        return { changes: { topics: r.topics, participants: r.participants }, result: null };
      });
      return { status: 'ok' as const };
    },
  );

  app.patch(
    '/v1/transcripts/:id/speaker/merge',
    {
      schema: {
        tags,
        operationId: 'v1_transcript_merge_speaker',
        summary: 'Relabel every word of one speaker as another',
        params: IdParams,
        body: Merge,
        response: { 200: Ok, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      await mutateTranscript(ctx, request.params.id, (row) => {
        assertSpeakerEditor(user, row);
        const r = mergeSpeakers(row.topics, row.participants, request.body.speaker_from, request.body.speaker_to);
        return { changes: { topics: r.topics, participants: r.participants }, result: null };
      });
      return { status: 'ok' as const };
    },
  );
};
