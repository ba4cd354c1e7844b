// Where a transcript's files live: storage keys shared by all processes, and a local scratch directory.
import path from 'node:path';
import type { Config } from '../config.ts';

export const audioKey = (id: string) => `${id}/audio.mp3`;
export const waveformKey = (id: string) => `${id}/audio.json`;
export const uploadKey = (id: string, ext: string) => `${id}/upload.${ext}`;

/** Chunks of an upload in progress, on the server that receives them. */
export const uploadChunksDir = (config: Config, id: string) => path.join(config.dataDir, 'uploads', id);
/** Scratch space of a pipeline run on the worker that runs it. */
export const workDir = (config: Config, id: string) => path.join(config.dataDir, 'work', id);
