import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/reflector.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'reflector-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: tmp, env: { PATH: process.env.PATH!, HOME: tmp, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('reflector command', () => {
  it('lists every role and option in --help', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    for (const word of ['all', 'server', 'worker', 'beat', 'migrate', 'transcription', 'models', '--port', '--data-dir']) expect(r.out).toContain(word);
  });

  it('rejects an unknown command with exit code 2', () => {
    const r = run(['serve']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown command "serve"');
  });

  it('names the bad variable and exits 78 on invalid configuration', () => {
    const r = run(['server'], { PORT: 'eighty', PUBLIC_MODE: 'perhaps' });
    expect(r.code).toBe(78);
    expect(r.err).toContain('PORT: must be a whole number');
    expect(r.err).toContain('PUBLIC_MODE: must be true or false');
  });

  it('migrates the embedded database once, honouring --data-dir and DATA_DIR from .env', () => {
    const dataDir = path.join(tmp, 'data');
    const first = run(['migrate', '--data-dir', dataDir]);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/applied: 0001_init/);
    writeFileSync(path.join(tmp, '.env'), `# comment\nDATA_DIR=${dataDir}\n`);
    const again = run(['migrate']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('database is up to date');
  });
});
