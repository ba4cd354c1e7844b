// Builds the web app once per e2e run, before any test file starts (vitest globalSetup).
// E2E_SKIP_BUILD=1 reuses the existing apps/web/dist.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function buildWeb(): void {
  if (process.env.E2E_SKIP_BUILD) return;
  execFileSync('npm', ['run', 'build', '-w', '@reflector/web'], { cwd: path.resolve(import.meta.dirname, '../..'), stdio: 'ignore' });
}
