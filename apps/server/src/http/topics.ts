// /v1/transcripts/{id}/topics: the topics of a transcript, with segments, words, or words per speaker.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentUser } from '../auth/policy.ts';
import { notFound } from '../errors.ts';
import { isMultitrack } from '../transcripts/detail.ts';
import { getReadableTranscript } from '../transcripts/repository.ts';
import { topicOut, TopicOut, TopicWithWordsOut, topicWithWordsOut, TopicWordsPerSpeakerOut, topicWordsPerSpeakerOut } from '../transcripts/topics.ts';
import { errorResponses } from './error-responses.ts';
import { trustedResponse } from './trusted-response.ts';

const tags = ['topics'];
const IdParams = z.object({ id: z.string().describe('transcript id') });

export const topicRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;

  const readable = async (id: string, request: Parameters<typeof currentUser>[0]) => {
    const row = await getReadableTranscript(ctx, id, currentUser(request));
    return { row, multitrack: await isMultitrack(ctx, row.recordingId) };
  };

  app.get(
    '/v1/transcripts/:id/topics',
    {
      schema: {
        tags,
        operationId: 'v1_transcript_get_topics',
        summary: 'Topics with their speaker segments',
        params: IdParams,
        response: { 200: z.array(TopicOut), ...errorResponses(403, 404) },
      },
    },
    async (request) => {
      const { row, multitrack } = await readable(request.params.id, request);
      return row.topics.map((t) => topicOut(t, multitrack));
    },
  );

  app.get(
    '/v1/transcripts/:id/topics/with-words',
    {
      schema: {
        tags,
        operationId: 'v1_transcript_get_topics_with_words',
        summary: 'Topics with their segments and every word',
        params: IdParams,
        response: { 200: z.array(TopicWithWordsOut), ...errorResponses(403, 404) },
      },
      ...trustedResponse,
    },
    async (request) => {
      const { row, multitrack } = await readable(request.params.id, request);
      return row.topics.map((t) => topicWithWordsOut(t, multitrack));
    },
  );

  app.get(
    '/v1/transcripts/:id/topics/:topic_id/words-per-speaker',
    {
      schema: {
        tags,
        operationId: 'v1_transcript_get_topics_with_words_per_speaker',
        summary: "One topic's words grouped into consecutive runs of the same speaker",
        params: IdParams.extend({ topic_id: z.string() }),
        response: { 200: TopicWordsPerSpeakerOut, ...errorResponses(403, 404) },
      },
    },
    async (request) => {
      const { row, multitrack } = await readable(request.params.id, request);
      const topic = row.topics.find((t) => t.id === request.params.topic_id);
      if (!topic) throw notFound('Topic not found');
      return topicWordsPerSpeakerOut(topic, multitrack);
    },
  );
};
