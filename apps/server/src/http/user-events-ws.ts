// WS /v1/events: the signed-in user's own channel (transcript created, deleted, status, title,
// duration). Browsers pass the token as the subprotocols ["bearer", <token>].
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { bearerToken } from '../auth/authenticate.ts';
import { userChannel } from '../events/transcript-events.ts';

export const UNAUTHORIZED_CLOSE = 4401;

export const userEventRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  app.get(
    '/v1/events',
    {
      websocket: true,
      schema: { tags: ['events'], operationId: 'v1_user_events', summary: 'WebSocket: events of the signed-in user (subprotocols "bearer", token)' },
    },
    async (socket, request) => {
      const user = request.user;
      if (!user || !bearerToken(request)) {
        socket.close(UNAUTHORIZED_CLOSE, 'Not authenticated');
        return;
      }
      const unsubscribe = await ctx.events.subscribe(userChannel(user.sub), (message) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
      });
      socket.on('message', () => {}); // clients have nothing to say
      socket.on('close', () => void unsubscribe());
    },
  );
};
