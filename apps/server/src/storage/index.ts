// Object storage for recordings and derived files: local files under DATA_DIR, or any S3-compatible store.
// Keys look like "<transcript id>/audio.mp3".
import type { Readable } from 'node:stream';
import type { Config } from '../config.ts';

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

export interface StoredObject {
  size: number;
  contentType?: string;
}

export interface Storage {
  readonly kind: 'local' | 'aws';
  /** Streams `body` into the object; never holds the whole body in memory. */
  put(key: string, body: Readable | Buffer, opts?: { contentType?: string; size?: number }): Promise<void>;
  /** Opens the object (or a byte range of it) as a stream. Throws StorageNotFound when absent. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<StoredObject | null>;
  delete(key: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix`. */
  deletePrefix(prefix: string): Promise<void>;
  /** A URL another service can GET the object from (presigned for S3), valid `expiresSeconds`. */
  url(key: string, expiresSeconds?: number): Promise<string>;
  close?(): Promise<void>;
}

export class StorageNotFound extends Error {
  constructor(key: string) {
    super(`object not found: ${key}`);
    this.name = 'StorageNotFound';
  }
}

export async function createStorage(config: Config): Promise<Storage> {
  if (config.TRANSCRIPT_STORAGE_BACKEND === 'aws') {
    const { S3Storage } = await import('./s3.ts');
    return new S3Storage({
      bucket: config.TRANSCRIPT_STORAGE_AWS_BUCKET_NAME,
      region: config.TRANSCRIPT_STORAGE_AWS_REGION,
      accessKeyId: config.TRANSCRIPT_STORAGE_AWS_ACCESS_KEY_ID!,
      secretAccessKey: config.TRANSCRIPT_STORAGE_AWS_SECRET_ACCESS_KEY!,
      endpoint: config.TRANSCRIPT_STORAGE_AWS_ENDPOINT_URL,
    });
  }
  const { LocalStorage } = await import('./local.ts');
  return new LocalStorage(config.dataDir, config.BASE_URL, config.SECRET_KEY);
}
