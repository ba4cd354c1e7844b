// Runs s3rver in its own process (started by startS3Server): it prints {"port": n} once listening and
// exits when its parent closes stdin. Being separate keeps the server's memory out of the test's RSS
// measurements; the parent starts it with --openssl-legacy-provider because s3rver makes its listing
// continuation tokens with DES.
// @ts-expect-error s3rver ships no type declarations
import S3rver from 's3rver';

const [dir, bucket] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
const { port } = (await server.run()) as { port: number };
process.stdout.write(`${JSON.stringify({ port })}\n`);
const stop = () => {
  server.close().finally(() => process.exit(0));
};
process.stdin.on('end', stop).on('close', stop).resume();
process.once('SIGTERM', stop);
