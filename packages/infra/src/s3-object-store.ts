import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type * as S3Sdk from '@aws-sdk/client-s3';
import type { BucketLocationConstraint, S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { Upload as UploadClass } from '@aws-sdk/lib-storage';
import type { getSignedUrl as presignFn } from '@aws-sdk/s3-request-presigner';
import { FacelessError } from '@faceless/runtime';
import { assertSafeKey } from './object-store.ts';
import type { ObjectStore } from './object-store.ts';

const MiB = 1024 * 1024;
/** S3's floor for every part but the last. */
export const MIN_PART_SIZE = 5 * MiB;
/** S3's ceiling on parts per upload. */
export const MAX_PARTS = 10_000;
export const DEFAULT_MULTIPART_THRESHOLD = 64 * MiB;
export const DEFAULT_PART_SIZE = 16 * MiB;
/** Parts in flight at once: lib-storage's default; memory is about this many parts. */
export const MULTIPART_QUEUE_SIZE = 4;

export interface S3ObjectStoreOptions {
  /** e.g. http://127.0.0.1:9000 for MinIO; unset for AWS. */
  endpoint?: string;
  /**
   * The address people and other hosts reach the store at, when it differs from `endpoint` (inside
   * Docker the services use http://minio:9000, a browser cannot): signed URLs are signed for it.
   */
  publicEndpoint?: string;
  bucket: string;
  region: string;
  /** Unset → the SDK's default credential chain (env, profile, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** Prepended to every key ("tenant-a/" → "tenant-a/pipelines/…"). */
  keyPrefix?: string;
  /** Files larger than this go up in parts (default 64 MiB). */
  multipartThreshold?: number;
  /** Bytes per part (default 16 MiB, at least 5 MiB). */
  partSize?: number;
  /** SDK attempts per request (default 3). */
  maxAttempts?: number;
}

/**
 * The part size for a multipart upload of `size` bytes: `partSize`, at least S3's 5 MiB floor, grown
 * when 10,000 parts would not hold the file.
 */
export function multipartPartSize(size: number, partSize: number = DEFAULT_PART_SIZE): number {
  if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`cannot split ${size} bytes into parts`);
  return Math.max(partSize, MIN_PART_SIZE, Math.ceil(size / MAX_PARTS));
}

/** "a", "a/", "/a//" → "a/"; "" → "". */
export function normalizeKeyPrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed ? `${trimmed}/` : '';
}

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const ACCESS_DENIED = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden', 'AllAccessDisabled', 'InvalidToken', 'ExpiredToken']);
const THROTTLED = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'RequestTimeTooSkewed', 'TooManyRequests', 'ServiceUnavailable', 'InternalError']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'TimeoutError', 'RequestTimeout']);

export interface S3ErrorContext {
  bucket: string;
  endpoint: string | undefined;
  /** What was being done, e.g. `get "pipelines/x/video.mp4"`. */
  action: string;
  /** The object key, when the operation concerns one (a 404 then means "no such key"). */
  key?: string;
}

/** Turns whatever the SDK (or the socket under it) threw into a FacelessError; never quotes credentials. */
export function mapS3Error(err: unknown, ctx: S3ErrorContext): FacelessError {
  if (err instanceof FacelessError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorLike;
  const name = e.name ?? '';
  if (name === 'AbortError') return new FacelessError('CANCELLED', `${ctx.action} was cancelled`, { cause: err });
  const status = e.$metadata?.httpStatusCode;
  const where = `s3://${ctx.bucket}${ctx.endpoint ? ` at ${ctx.endpoint}` : ''}`;
  if (name === 'NoSuchBucket') {
    return new FacelessError('STORAGE_FAILED', `bucket "${ctx.bucket}" does not exist (${where}); create it or set S3_BUCKET to an existing bucket`, { retryable: false, cause: err });
  }
  if (name === 'NoSuchKey' || ((name === 'NotFound' || status === 404) && ctx.key !== undefined)) {
    return new FacelessError('NOT_FOUND', `object "${ctx.key ?? ''}" not found in ${where}`, { cause: err });
  }
  if (ACCESS_DENIED.has(name) || status === 401 || status === 403) {
    return new FacelessError('STORAGE_FAILED', `access denied to bucket "${ctx.bucket}" while trying to ${ctx.action} (${where}); check S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY and the bucket policy`, { retryable: false, cause: err });
  }
  const networkCode = e.code ?? name;
  if (THROTTLED.has(name) || status === 429 || (status !== undefined && status >= 500) || NETWORK.has(networkCode) || status === undefined) {
    const why = status !== undefined ? `HTTP ${status}${name ? ` ${name}` : ''}` : `${networkCode || 'network error'}: ${e.message ?? String(err)}`;
    return new FacelessError('STORAGE_FAILED', `could not ${ctx.action} in ${where} (${why}); the store may be down or busy — retry later`, { retryable: true, cause: err });
  }
  return new FacelessError('STORAGE_FAILED', `could not ${ctx.action} in ${where} (HTTP ${status}${name ? ` ${name}` : ''})`, { retryable: false, cause: err });
}

interface Sdk {
  s3: typeof S3Sdk;
  client: S3Client;
  /** Signs URLs: the client itself, or one for the public endpoint (the host is part of the signature). */
  signer: S3Client;
  getSignedUrl: typeof presignFn;
  Upload: typeof UploadClass;
}

/** Objects in an S3-compatible bucket (AWS S3, MinIO, R2, s3rver). */
export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;
  readonly keyPrefix: string;
  private readonly clientConfig: S3ClientConfig;
  private sdk: Promise<Sdk> | undefined;
  private readonly endpoint: string | undefined;
  private readonly publicEndpoint: string | undefined;
  private readonly region: string;
  private readonly multipartThreshold: number;
  private readonly partSize: number;

  constructor(options: S3ObjectStoreOptions) {
    this.bucket = options.bucket;
    this.keyPrefix = normalizeKeyPrefix(options.keyPrefix);
    this.endpoint = options.endpoint;
    this.publicEndpoint = options.publicEndpoint;
    this.region = options.region;
    this.multipartThreshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
    this.partSize = Math.max(options.partSize ?? DEFAULT_PART_SIZE, MIN_PART_SIZE);
    const config: S3ClientConfig = {
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      // The default CRC trailers break MinIO, R2 and s3rver on streamed bodies.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: options.maxAttempts ?? 3,
    };
    if (options.endpoint) config.endpoint = options.endpoint;
    if (options.accessKeyId && options.secretAccessKey) {
      config.credentials = { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey };
    }
    this.clientConfig = config;
  }

  /** Loads the SDK on first use, so processes on the folder store never pay for it. */
  private load(): Promise<Sdk> {
    this.sdk ??= (async () => {
      const [s3, presigner, storage] = await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/s3-request-presigner'), import('@aws-sdk/lib-storage')]);
      const client = new s3.S3Client(this.clientConfig);
      const signer = this.publicEndpoint ? new s3.S3Client({ ...this.clientConfig, endpoint: this.publicEndpoint }) : client;
      return { s3, client, signer, getSignedUrl: presigner.getSignedUrl, Upload: storage.Upload };
    })();
    return this.sdk;
  }

  /** The full object key: prefix + key. */
  objectKey(key: string): string {
    assertSafeKey(key);
    return `${this.keyPrefix}${key}`;
  }

  describe(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }

  private fail(err: unknown, action: string, key?: string): FacelessError {
    return mapS3Error(err, { bucket: this.bucket, endpoint: this.endpoint, action, ...(key !== undefined ? { key } : {}) });
  }

  async putFile(key: string, localPath: string, contentType?: string): Promise<void> {
    const { s3, client } = await this.load();
    const Key = this.objectKey(key);
    const { size } = await stat(localPath);
    if (size > this.multipartThreshold) {
      await this.putMultipart(Key, localPath, size, contentType);
      return;
    }
    try {
      await client.send(new s3.PutObjectCommand({
        Bucket: this.bucket,
        Key,
        Body: createReadStream(localPath),
        ContentLength: size,
        ...(contentType ? { ContentType: contentType } : {}),
      }));
    } catch (err) {
      throw this.fail(err, `put "${Key}"`);
    }
  }

  /**
   * lib-storage's Upload: it reads the file in parts of `multipartPartSize`, sends up to
   * MULTIPART_QUEUE_SIZE of them at once (each a buffer the client can resend on a retry), completes
   * the upload, and aborts it on failure so no parts are left billed in the bucket.
   */
  private async putMultipart(Key: string, localPath: string, size: number, contentType: string | undefined): Promise<void> {
    const { client, Upload } = await this.load();
    const upload = new Upload({
      client,
      params: { Bucket: this.bucket, Key, Body: createReadStream(localPath), ...(contentType ? { ContentType: contentType } : {}) },
      partSize: multipartPartSize(size, this.partSize),
      queueSize: MULTIPART_QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      throw this.fail(err, `upload "${Key}" in parts`);
    }
  }

  async putBytes(key: string, bytes: Uint8Array | string, contentType?: string): Promise<void> {
    const { s3, client } = await this.load();
    const Key = this.objectKey(key);
    const body = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    try {
      await client.send(new s3.PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength: body.byteLength, ...(contentType ? { ContentType: contentType } : {}) }));
    } catch (err) {
      throw this.fail(err, `put "${Key}"`);
    }
  }

  async getFile(key: string, localPath: string): Promise<void> {
    const { s3, client } = await this.load();
    const Key = this.objectKey(key);
    const tmp = `${localPath}.part`;
    try {
      const r = await client.send(new s3.GetObjectCommand({ Bucket: this.bucket, Key }));
      await mkdir(dirname(localPath), { recursive: true });
      await pipeline(r.Body as Readable, createWriteStream(tmp));
      await rename(tmp, localPath);
    } catch (err) {
      await rm(tmp, { force: true });
      throw this.fail(err, `get "${Key}"`, key);
    }
  }

  async getBytes(key: string): Promise<Buffer> {
    const { s3, client } = await this.load();
    const Key = this.objectKey(key);
    try {
      const r = await client.send(new s3.GetObjectCommand({ Bucket: this.bucket, Key }));
      if (!r.Body) return Buffer.alloc(0);
      return Buffer.from(await r.Body.transformToByteArray());
    } catch (err) {
      throw this.fail(err, `get "${Key}"`, key);
    }
  }

  readStream(key: string): NodeJS.ReadableStream {
    const Key = this.objectKey(key);
    const out = new PassThrough();
    this.load().then(({ s3, client }) => client.send(new s3.GetObjectCommand({ Bucket: this.bucket, Key }))).then(
      (r) => {
        const body = r.Body as Readable;
        body.on('error', (err) => out.destroy(this.fail(err, `read "${Key}"`, key)));
        body.pipe(out);
      },
      (err: unknown) => out.destroy(this.fail(err, `read "${Key}"`, key)),
    );
    return out;
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.head(key);
      return true;
    } catch (err) {
      if (err instanceof FacelessError && err.code === 'NOT_FOUND') return false;
      throw err;
    }
  }

  async size(key: string): Promise<number> {
    return (await this.head(key)).ContentLength ?? 0;
  }

  private async head(key: string): Promise<{ ContentLength?: number }> {
    const { s3, client } = await this.load();
    const Key = this.objectKey(key);
    try {
      return await client.send(new s3.HeadObjectCommand({ Bucket: this.bucket, Key }));
    } catch (err) {
      throw this.fail(err, `look up "${Key}"`, key);
    }
  }

  async delete(key: string): Promise<void> {
    const { s3, client } = await this.load();
    const Key = this.objectKey(key);
    try {
      await client.send(new s3.DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (err) {
      const mapped = this.fail(err, `delete "${Key}"`, key);
      if (mapped.code !== 'NOT_FOUND') throw mapped;
    }
  }

  /** A short-lived GET URL for the object (no check that it exists). */
  async signedUrl(key: string, expiresSec = 900): Promise<string> {
    const { s3, signer, getSignedUrl } = await this.load();
    const Key = this.objectKey(key);
    try {
      return await getSignedUrl(signer, new s3.GetObjectCommand({ Bucket: this.bucket, Key }), { expiresIn: expiresSec });
    } catch (err) {
      throw this.fail(err, `sign a URL for "${Key}"`);
    }
  }

  /** Readiness: the bucket answers and these credentials may use it. */
  async ping(): Promise<void> {
    const { s3, client } = await this.load();
    try {
      await client.send(new s3.HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      const e = err as SdkErrorLike;
      if (e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404) {
        throw this.fail(Object.assign(new Error('no such bucket'), { name: 'NoSuchBucket' }), 'reach the bucket');
      }
      throw this.fail(err, 'reach the bucket');
    }
  }

  /** Creates the bucket when it is missing; returns whether it did. */
  async ensureBucket(): Promise<boolean> {
    const { s3, client } = await this.load();
    try {
      await client.send(new s3.HeadBucketCommand({ Bucket: this.bucket }));
      return false;
    } catch (err) {
      const e = err as SdkErrorLike;
      if (!(e.name === 'NotFound' || e.name === 'NoSuchBucket' || e.$metadata?.httpStatusCode === 404)) throw this.fail(err, 'reach the bucket');
    }
    try {
      await client.send(new s3.CreateBucketCommand({
        Bucket: this.bucket,
        ...(this.region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: this.region as BucketLocationConstraint } } : {}),
      }));
      return true;
    } catch (err) {
      const name = (err as SdkErrorLike).name;
      if (name === 'BucketAlreadyOwnedByYou') return false;
      throw this.fail(err, 'create the bucket');
    }
  }

  /** Closes the SDK's sockets. */
  async close(): Promise<void> {
    if (!this.sdk) return;
    const { client, signer } = await this.sdk;
    client.destroy();
    if (signer !== client) signer.destroy();
  }
}
