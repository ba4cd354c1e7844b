// /v1/transcripts/{id}/participants: the named speakers of a transcript.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assertCanEditSpeakers, currentUser, type UserInfo } from '../auth/policy.ts';
import type { TranscriptRow } from '../db/schema.ts';
import { mutateTranscript } from '../transcripts/content.ts';
import { participantsOut } from '../transcripts/detail.ts';
import { getReadableTranscript, ParticipantOut } from '../transcripts/repository.ts';
import { addParticipant, findParticipant, removeParticipant, updateParticipant } from '../transcripts/speakers.ts';
import { errorResponses } from './error-responses.ts';

const tags = ['participants'];
const IdParams = z.object({ id: z.string().describe('transcript id') });
const ParticipantParams = IdParams.extend({ participant_id: z.string() });
const Speaker = z.number().int().min(0).describe('speaker index in the words');

const CreateParticipant = z.object({
  name: z.string(),
  speaker: Speaker.nullable().optional(),
});
const UpdateParticipant = z.object({
  name: z.string().optional(),
  speaker: Speaker.nullable().optional(),
});

export function assertSpeakerEditor(user: UserInfo | null, row: TranscriptRow) {
  assertCanEditSpeakers(user, { user_id: row.userId, share_mode: row.shareMode, room_id: row.roomId });
}

export const participantRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  const one = async (p: Parameters<typeof participantsOut>[1][number]) => (await participantsOut(ctx, [p]))[0];

  app.get(
    '/v1/transcripts/:id/participants',
    {
      schema: {
        tags,
        operationId: 'v1_transcript_get_participants',
        summary: 'Participants of a transcript',
        params: IdParams,
        response: { 200: z.array(ParticipantOut), ...errorResponses(403, 404) },
      },
    },
    async (request) => {
      const row = await getReadableTranscript(ctx, request.params.id, currentUser(request));
      return participantsOut(ctx, row.participants ?? []);
    },
  );

  app.post(
    '/v1/transcripts/:id/participants',
    {
      schema: {
        tags,
        operationId: 'v1_transcript_add_participant',
        summary: 'Add a participant, optionally naming a speaker',
        params: IdParams,
        body: CreateParticipant,
        response: { 200: ParticipantOut, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const participant = await mutateTranscript(ctx, request.params.id, (row) => {
        assertSpeakerEditor(user, row);
        const r = addParticipant(row.participants, request.body);
        return { changes: { participants: r.participants }, result: r.participant };
      });
      return one(participant);
    },
  );

  app.get(
    '/v1/transcripts/:id/participants/:participant_id',
    {
      schema: {
        tags,
        operationId: 'v1_transcript_get_participant',
        summary: 'One participant',
        params: ParticipantParams,
        response: { 200: ParticipantOut, ...errorResponses(403, 404) },
      },
    },
    async (request) => {
      const row = await getReadableTranscript(ctx, request.params.id, currentUser(request));
      return one(findParticipant(row.participants, request.params.participant_id));
    },
  );

  app.patch(
    '/v1/transcripts/:id/participants/:participant_id',
    {
      schema: {
        tags,
        operationId: 'v1_transcript_update_participant',
        summary: 'Rename a participant or change their speaker',
        params: ParticipantParams,
        body: UpdateParticipant,
        response: { 200: ParticipantOut, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const participant = await mutateTranscript(ctx, request.params.id, (row) => {
        assertSpeakerEditor(user, row);
        const r = updateParticipant(row.participants, request.params.participant_id, request.body);
        return { changes: { participants: r.participants }, result: r.participant };
      });
      return one(participant);
    },
  );

  app.delete(
    '/v1/transcripts/:id/participants/:participant_id',
    {
      schema: {
        tags,
        operationId: 'v1_transcript_delete_participant',
        summary: 'Remove a participant (their words keep the speaker index)',
        params: ParticipantParams,
        response: { 200: z.object({ status: z.literal('ok') }), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      await mutateTranscript(ctx, request.params.id, (row) => {
        assertSpeakerEditor(user, row);
        const participants = removeParticipant(row.participants, request.params.participant_id);
        return { changes: participants.length === row.participants.length ? undefined : { participants }, result: null };
      });
      return { status: 'ok' as const };
    },
  );
};
