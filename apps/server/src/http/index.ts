// Every route module of the API, registered in this order.
import type { FastifyPluginAsync } from 'fastify';
import { healthRoutes } from './health.ts';
import { storageFileRoutes } from './storage-files.ts';

export const routeModules: FastifyPluginAsync[] = [healthRoutes, storageFileRoutes];
