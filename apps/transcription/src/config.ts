// The model service's own settings from the environment; engine choice is the speech factory's.
import { DEFAULT_MAX_UPLOAD_BYTES } from './context.ts';

export interface ServiceConfig {
  port: number;
  host: string;
  apiKey?: string;
  maxUploadBytes: number;
  tmpDir?: string;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** "2G", "500MB", "1048576" → bytes. */
export function parseSize(value: string, variable: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?b?)\s*$/i.exec(value);
  if (!m || !(m[2].toLowerCase() in UNITS)) throw new Error(`${variable} must be a size such as 2G, 500M or 1048576, got "${value}"`);
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2].toLowerCase()]);
  if (bytes <= 0) throw new Error(`${variable} must be positive`);
  return bytes;
}

export function serviceConfigFromEnv(env: Record<string, string | undefined>): ServiceConfig {
  const port = Number(env.PORT ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  return {
    port,
    host: env.HOST?.trim() || '0.0.0.0',
    apiKey: env.REFLECTOR_GPU_APIKEY?.trim() || undefined,
    maxUploadBytes: env.MAX_UPLOAD_SIZE ? parseSize(env.MAX_UPLOAD_SIZE, 'MAX_UPLOAD_SIZE') : DEFAULT_MAX_UPLOAD_BYTES,
    tmpDir: env.TRANSCRIPTION_TMP_DIR?.trim() || undefined,
  };
}
