// A real S3-protocol server for tests: s3rver on a random local port, storing objects under `dir`.
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
// @ts-expect-error s3rver ships no type declarations
import S3rver from 's3rver';

export interface TestS3Server {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  close(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

export async function startS3Server(dir: string, bucket = 'reflector-test'): Promise<TestS3Server> {
  await mkdir(dir, { recursive: true });
  const server: S3rverInstance = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  let closed = false;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    // s3rver accepts only these credentials.
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
    },
  };
}
