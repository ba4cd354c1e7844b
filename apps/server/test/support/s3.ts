// A real S3-protocol server for tests: s3rver in a child process on a random local port, storing
// objects under `dir`, with one bucket (names need 3+ characters) created up front.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export interface TestS3Server {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  close(): Promise<void>;
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 's3rver-process.ts');

export async function startS3Server(dir: string, bucket = 'reflector-test'): Promise<TestS3Server> {
  await mkdir(dir, { recursive: true });
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '--import', import.meta.resolve('tsx'), CHILD, dir, bucket], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        child.stdout.off('data', onData);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`s3rver exited before listening (code ${code}): ${out}`)));
    child.once('error', reject);
  });
  child.stdout.resume();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    // s3rver accepts only these credentials.
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    async close() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
