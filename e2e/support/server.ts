// A real embedded platform (PGlite, local files, in-process jobs) on a free port, serving the built web
// app, with password sign-in enabled for the owner-only pages (other settings through `env`).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../apps/server/src/config.ts';
import { hashPassword } from '../../apps/server/src/auth/password.ts';
import { startRole, type RunningPlatform } from '../../apps/server/src/roles.ts';

export const ADMIN_EMAIL = 'admin@example.org';
export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface TestServer {
  url: string;
  platform: RunningPlatform;
  dataDir: string;
  stop(): Promise<void>;
}

/** `env` overrides the defaults: password sign-in offered but not required, public mode. */
export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'reflector-e2e-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    PUBLIC_MODE: 'true',
    AUTH_BACKEND: 'password',
    FEATURE_REQUIRE_LOGIN: 'false',
    ADMIN_EMAIL,
    ADMIN_PASSWORD_HASH: await hashPassword(ADMIN_PASSWORD, 1000),
    ...env,
  });
  const platform = await startRole('all', config);
  const url = platform.url!.replace('localhost', '127.0.0.1');
  return {
    url,
    platform,
    dataDir,
    async stop() {
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
