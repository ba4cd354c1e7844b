// WS /v1/transcripts/{id}/events: replays the transcript's stored events (except TRANSCRIPT and STATUS,
// which only matter live) and then streams new ones. GET on the same path without an upgrade documents
// the event union for the OpenAPI document.
import type { WebSocket } from 'ws';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentUser } from '../auth/policy.ts';
import { HttpError } from '../errors.ts';
import type { Message } from '../events/bus.ts';
import { transcriptChannel } from '../events/transcript-events.ts';
import { getReadableTranscript } from '../transcripts/repository.ts';

const NOT_REPLAYED = new Set(['TRANSCRIPT', 'STATUS']);
const LIVE_ONLY = new Set(['PROGRESS']);
const PING_INTERVAL_MS = 25_000;

const Word = z.object({ text: z.string(), start: z.number(), end: z.number(), speaker: z.number().int() });
export const TranscriptEvent = z
  .discriminatedUnion('event', [
    z.object({ event: z.literal('TRANSCRIPT'), data: z.object({ text: z.string(), translation: z.string().nullable() }) }),
    z.object({
      event: z.literal('TOPIC'),
      data: z.object({
        id: z.string(),
        title: z.string(),
        summary: z.string(),
        timestamp: z.number().describe('seconds'),
        duration: z.number().nullable(),
        transcript: z.string(),
        segments: z.array(z.object({ text: z.string(), start: z.number(), speaker: z.number().int() })).optional(),
        words: z.array(Word).optional(),
      }),
    }),
    z.object({
      event: z.literal('STATUS'),
      data: z.object({ value: z.enum(['idle', 'uploaded', 'recording', 'processing', 'error', 'ended']), error: z.string().optional() }),
    }),
    z.object({ event: z.literal('FINAL_TITLE'), data: z.object({ title: z.string() }) }),
    z.object({ event: z.literal('FINAL_LONG_SUMMARY'), data: z.object({ long_summary: z.string() }) }),
    z.object({ event: z.literal('FINAL_SHORT_SUMMARY'), data: z.object({ short_summary: z.string() }) }),
    z.object({
      event: z.literal('ACTION_ITEMS'),
      data: z.object({ action_items: z.object({ decisions: z.array(z.record(z.string(), z.unknown())), next_steps: z.array(z.record(z.string(), z.unknown())) }) }),
    }),
    z.object({ event: z.literal('DURATION'), data: z.object({ duration: z.number().describe('milliseconds') }) }),
    z.object({ event: z.literal('WAVEFORM'), data: z.object({ waveform: z.array(z.number()) }) }),
    z.object({ event: z.literal('PROGRESS'), data: z.record(z.string(), z.unknown()).describe('live only, never replayed') }),
  ])
  .describe('A message of the transcript WebSocket');

/**
 * The buffered live messages not already in the stored log read after subscribing. Events are stored
 * before they are published, so the stored ones received in between form the tail of the log; live-only
 * events (never stored) are always kept.
 */
export function notYetReplayed(log: readonly Message[], buffered: readonly Message[]): Message[] {
  const storedIdx = buffered.flatMap((m, i) => (LIVE_ONLY.has(m.event) ? [] : [i]));
  const logJson = log.map((m) => JSON.stringify(m));
  let k = Math.min(logJson.length, storedIdx.length);
  for (; k > 0; k--) {
    let same = true;
    for (let i = 0; i < k && same; i++) same = logJson[logJson.length - k + i] === JSON.stringify(buffered[storedIdx[i]]);
    if (same) break;
  }
  const drop = new Set(storedIdx.slice(0, k));
  return buffered.filter((_, i) => !drop.has(i));
}

export const eventsWsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  app.route({
    method: 'GET',
    url: '/v1/transcripts/:id/events',
    schema: {
      tags: ['transcripts'],
      operationId: 'v1_transcript_get_websocket_events',
      summary: 'Transcript events (WebSocket)',
      description:
        'Open this path as a WebSocket to receive the transcript events: stored ones (except TRANSCRIPT and STATUS) first, then live ones. ' +
        'Browsers may pass a token as the subprotocols ["bearer", <token>]. Refused connections close with 4404 (unknown transcript) or 4403 (access denied). ' +
        'A plain GET returns null; it exists to document the messages.',
      params: z.object({ id: z.string() }),
      response: { 200: TranscriptEvent.nullable() },
    },
    handler: async () => null,
    wsHandler: async (socket: WebSocket, request) => {
      const { id } = request.params as { id: string };
      // Live messages arriving while the log is read are held back, then deduplicated against it.
      let buffered: Message[] | null = [];
      const send = (m: Message) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
      };
      let unsubscribe: (() => Promise<void>) | null = null;
      let closed = false;
      const ping = setInterval(() => socket.readyState === socket.OPEN && socket.ping(), PING_INTERVAL_MS);
      ping.unref();
      socket.on('message', () => {}); // clients have nothing to say; their messages are ignored
      socket.on('close', () => {
        closed = true;
        clearInterval(ping);
        void unsubscribe?.().catch(() => {});
      });

      try {
        await getReadableTranscript(ctx, id, currentUser(request));
      } catch (err) {
        if (err instanceof HttpError && (err.statusCode === 404 || err.statusCode === 403)) {
          socket.close(4000 + err.statusCode, String(err.detail));
          return;
        }
        socket.close(1011, 'Internal error');
        throw err;
      }

      try {
        const off = await ctx.events.subscribe(transcriptChannel(id), (m) => {
          if (buffered) buffered.push(m);
          else send(m);
        });
        if (closed) return void (await off());
        unsubscribe = off;
        const [row] = await ctx.database.query<{ events: Message[] }>('SELECT events FROM transcript WHERE id = $1', [id]);
        const log = row?.events ?? [];
        for (const m of log) if (!NOT_REPLAYED.has(m.event)) send(m);
        const held = buffered;
        buffered = null;
        for (const m of notYetReplayed(log, held)) send(m);
      } catch (err) {
        request.log.error({ err, transcriptId: id }, 'transcript websocket failed');
        socket.close(1011, 'Internal error');
      }
    },
  });
};
