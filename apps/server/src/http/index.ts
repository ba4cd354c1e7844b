// Every route module of the API, registered in this order.
import type { FastifyPluginAsync } from 'fastify';
import { audioRoutes } from './audio.ts';
import { eventsWsRoutes } from './events-ws.ts';
import { authRoutes } from './auth.ts';
import { healthRoutes } from './health.ts';
import { userEventRoutes } from './user-events-ws.ts';
import { participantRoutes } from './participants.ts';
import { pipelineRoutes } from './pipeline.ts';
import { processRoutes } from './process.ts';
import { searchRoutes } from './search.ts';
import { signInRoutes } from './sign-in.ts';
import { speakerRoutes } from './speaker.ts';
import { storageFileRoutes } from './storage-files.ts';
import { topicRoutes } from './topics.ts';
import { transcriptRoutes } from './transcripts.ts';
import { uploadRoutes } from './upload.ts';

export const routeModules: FastifyPluginAsync[] = [healthRoutes, authRoutes, signInRoutes, userEventRoutes, storageFileRoutes, transcriptRoutes, topicRoutes, participantRoutes, speakerRoutes,
  searchRoutes, uploadRoutes, processRoutes, pipelineRoutes, audioRoutes, eventsWsRoutes];
