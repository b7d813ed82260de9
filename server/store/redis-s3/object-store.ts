/**
 * The ciphertext of chunks in an S3-compatible object store (AWS S3, R2, B2,
 * MinIO, Ceph, Swift's s3api): one object per chunk, put, read and deleted by
 * prefix. Nothing but ciphertext is ever written; keys are random ids (see
 * redis-s3-store.ts), never session or item ids.
 */
import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { S3Config } from '../../cluster/config.ts';
import { ConfigError } from '../../config-values.ts';

// package.json pins the SDK to a version that supports Node 20; its warning is about later versions.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Objects one DeleteObjects request may name (S3's limit). */
const DELETE_BATCH = 1000;

const statusOf = (error: unknown) => (error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined);

export class ObjectStore {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3Config) {
    this.bucket = options.bucket;
    const agent = { keepAlive: true, maxSockets: 128 };
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // CRC checksums on every request are recent and not understood by every S3-compatible service.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // A store that does not answer (down, cut off) must fail a chunk within seconds, not minutes:
      // the client is told UNAVAILABLE and sends it again (a chunk is at most 1 MiB).
      requestHandler: {
        connectionTimeout: 3_000,
        requestTimeout: options.requestTimeoutMs,
        // Without it, an overdue request only logs a warning and goes on waiting.
        throwOnRequestTimeout: true,
        socketTimeout: options.requestTimeoutMs,
        httpAgent: new HttpAgent(agent),
        httpsAgent: new HttpsAgent(agent),
      },
      maxAttempts: 2,
    });
    // Swift (and older S3 services) need Content-MD5 on batch deletes; recent SDKs send a CRC instead.
    this.client.middlewareStack.add(
      (next, context) => async (args) => {
        const request = args.request as { headers?: Record<string, string>; body?: unknown };
        if (context.commandName === 'DeleteObjectsCommand' && request.headers && (typeof request.body === 'string' || request.body instanceof Uint8Array)) {
          request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
        }
        return next(args);
      },
      { step: 'build', name: 'contentMd5OnBatchDelete' },
    );
  }

  /** At start-up: the bucket exists and answers, else a ConfigError naming the variable to fix. */
  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) throw new ConfigError(`S3_BUCKET: the bucket "${this.bucket}" does not exist (create it first)`);
      if (status === 403 || status === 401) {
        throw new ConfigError(`AWS_ACCESS_KEY_ID: the object store refused these credentials for the bucket "${this.bucket}"`);
      }
      throw new ConfigError(`S3_ENDPOINT: cannot reach the object store (${error instanceof Error ? error.name : 'error'}${status ? ` ${status}` : ''})`);
    }
  }

  /** For `make cluster` and tests: creates the bucket unless it exists. */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.byteLength }));
  }

  /** The object's bytes, or undefined when there is no such object. */
  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return answer.Body ? await answer.Body.transformToByteArray() : new Uint8Array(0);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** The keys of every object whose key starts with `prefix`. */
  async listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  /** Deletes every object whose key starts with `prefix`; returns how many. */
  async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: DELETE_BATCH, ...(token ? { ContinuationToken: token } : {}) }),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (keys.length > 0) {
        const answer = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }));
        if (answer.Errors?.length) throw new Error(`the object store did not delete ${answer.Errors.length} objects`);
        deleted += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  close(): void {
    this.client.destroy();
  }
}
