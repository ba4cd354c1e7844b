// S3-compatible object storage (AWS S3, Garage, MinIO, s3rver). An endpoint URL switches to path-style
// addressing, which self-hosted stores need. Uploads of unknown length go through multipart uploads of
// fixed-size parts, so memory stays bounded whatever the size of the recording.
//
// The bucket is created at first use when it does not exist (convenient for Garage, MinIO and test
// servers). When the credentials may not create buckets, the bucket must exist beforehand; the error then
// names the bucket and the reason.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { StorageNotFound, type ByteRange, type Storage, type StoredObject } from './index.ts';

export interface S3StorageOptions {
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** e.g. http://garage:3900; when given, path-style addressing is used. */
  endpoint?: string;
  /** Size of each multipart part (default and S3 minimum 5 MiB: objects up to 50 GB in 10 000 parts). */
  partSize?: number;
  /** Parts uploaded in parallel (default 2): memory use is about partSize × (queueSize + 1). */
  queueSize?: number;
}

const MIN_PART = 5 * 1024 * 1024;

/** The HTTP status of an SDK error, when it has one. */
function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket' || statusOf(err) === 404;
}

export class S3Storage implements Storage {
  readonly kind = 'aws' as const;
  readonly bucket: string;
  readonly client: S3Client;
  private readonly partSize: number;
  private readonly queueSize: number;
  private bucketReady?: Promise<void>;

  constructor(opts: S3StorageOptions) {
    this.bucket = opts.bucket;
    this.partSize = Math.max(MIN_PART, opts.partSize ?? MIN_PART);
    this.queueSize = Math.max(1, opts.queueSize ?? 2);
    this.client = new S3Client({
      region: opts.region,
      endpoint: opts.endpoint,
      forcePathStyle: !!opts.endpoint,
      credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
      // Self-hosted stores do not all understand the SDK's default streaming checksums (aws-chunked
      // trailers); send checksums only where the S3 API requires them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    // DeleteObjects must carry a body checksum. Recent SDKs send CRC32, which some S3-compatible stores
    // refuse ("requires Content-MD5"); Content-MD5 is what every implementation accepts.
    this.client.middlewareStack.addRelativeTo(contentMd5Middleware as never, {
      relation: 'before',
      toMiddleware: 'httpSigningMiddleware',
      name: 'reflectorContentMd5',
      override: true,
    });
  }

  /** Makes sure the bucket exists, once per instance; a failed attempt is retried on the next call. */
  private ensureBucket(): Promise<void> {
    this.bucketReady ??= this.createBucketIfMissing().catch((err) => {
      this.bucketReady = undefined;
      throw err;
    });
    return this.bucketReady;
  }

  private async createBucketIfMissing(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (err) {
      // 403: the key may read and write objects without being allowed to inspect the bucket.
      if (statusOf(err) === 403) return;
      if (!isNotFound(err)) throw new Error(`S3 bucket "${this.bucket}" is not reachable: ${describe(err)}`, { cause: err });
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') return;
      throw new Error(`S3 bucket "${this.bucket}" does not exist and could not be created (create it first): ${describe(err)}`, {
        cause: err,
      });
    }
  }

  async put(key: string, body: Readable | Buffer, opts: { contentType?: string; size?: number } = {}): Promise<void> {
    await this.ensureBucket();
    if (Buffer.isBuffer(body)) {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: opts.contentType, ContentLength: body.length }),
      );
      return;
    }
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: opts.contentType },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      body.destroy();
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    await this.ensureBucket();
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      );
      const body = res.Body;
      if (body instanceof Readable) return body;
      if (body && typeof (body as { transformToWebStream?: unknown }).transformToWebStream === 'function') {
        return Readable.fromWeb((body as { transformToWebStream(): ReadableStream }).transformToWebStream() as never);
      }
      throw new Error(`S3 returned no body for ${key}`);
    } catch (err) {
      if (isNotFound(err)) throw new StorageNotFound(key);
      throw err;
    }
  }

  async stat(key: string): Promise<StoredObject | null> {
    await this.ensureBucket();
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: res.ContentLength ?? 0, contentType: res.ContentType };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.ensureBucket();
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    await this.ensureBucket();
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }),
      );
      const keys = (page.Contents ?? []).map((o) => o.Key).filter((k): k is string => !!k);
      if (keys.length) {
        const res = await this.client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
        );
        const failed = (res.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
        if (failed.length) {
          throw new Error(`could not delete ${failed.length} object(s) under "${prefix}": ${failed[0].Key}: ${failed[0].Message ?? failed[0].Code}`);
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async url(key: string, expiresSeconds = 3600): Promise<string> {
    await this.ensureBucket();
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: expiresSeconds });
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string };
  const status = statusOf(err);
  return [e.name, status ? `HTTP ${status}` : undefined, e.message].filter(Boolean).join(': ');
}

type Handler = (args: { request: unknown }) => Promise<unknown>;

/** Replaces the flexible checksum of a DeleteObjects request with Content-MD5 (see the constructor). */
function contentMd5Middleware(next: Handler, context: { commandName?: string }): Handler {
  return async (args) => {
    const request = args.request as { headers?: Record<string, string>; body?: unknown };
    const body = request.body;
    if (context.commandName === 'DeleteObjectsCommand' && request.headers && (typeof body === 'string' || Buffer.isBuffer(body))) {
      for (const name of Object.keys(request.headers)) {
        const lower = name.toLowerCase();
        if (lower.startsWith('x-amz-checksum-') || lower === 'x-amz-sdk-checksum-algorithm') delete request.headers[name];
      }
      request.headers['content-md5'] = createHash('md5').update(body).digest('base64');
    }
    return next(args);
  };
}
