// Services such as /diarize fetch audio by URL. When the recording only exists on local disk, this serves
// one file for the duration of one call under an unguessable path, then stops.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { extname } from 'node:path';
import type { AddressInfo } from 'node:net';

export interface PublishedFile {
  url: string;
  release(): Promise<void>;
}

export type PublishFile = (path: string) => Promise<PublishedFile>;

export interface FileServerOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Host name the remote service reaches this machine by (default: the listen host). */
  advertisedHost?: string;
  port?: number;
}

export function publishFileOverHttp(opts: FileServerOptions = {}): PublishFile {
  return async (path) => {
    const { size } = await stat(path);
    const token = randomBytes(16).toString('hex');
    const route = `/${token}/audio${extname(path)}`;
    const server = createServer((req, res) => {
      if (req.url !== route || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-length': String(size), 'content-type': 'application/octet-stream' });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const stream = createReadStream(path);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    });
    const host = opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const advertised = opts.advertisedHost ?? host;
    const hostPart = advertised.includes(':') ? `[${advertised}]` : advertised;
    return {
      url: `http://${hostPart}:${port}${route}`,
      release: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  };
}
