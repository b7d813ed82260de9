/**
 * Cluster mode: several nodes behind one address, sharing Redis (broadcasts,
 * sessions, items, presence, limits) and an S3-compatible object store (the
 * ciphertext of chunks). It is on when REDIS_URL (or REDIS_SENTINELS) is set;
 * then S3_BUCKET and NODE_ID are required too. Without any of these, a node
 * runs alone with the embedded disk store.
 */
import { ConfigError, boolean, duration, type Env } from '../config-values.ts';

export interface S3Config {
  /** Unset: AWS's own endpoint for the region. */
  endpoint: string | undefined;
  bucket: string;
  region: string;
  /** Path-style addressing (`endpoint/bucket/key`): what MinIO, Ceph and Swift expect. */
  forcePathStyle: boolean;
  /** Prepended to every object key, so one bucket can hold several deployments. */
  keyPrefix: string;
  /** From AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; unset: the AWS SDK's other sources (profiles, instance roles). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** How long one request may take before it is tried once more, then failed (the chunk is then answered UNAVAILABLE). */
  requestTimeoutMs: number;
}

export interface RedisTarget {
  /** redis:// or rediss:// URL; with sentinels, only its credentials and database are used. */
  url: string | undefined;
  /** Redis Sentinel: the sentinels to ask for the current primary of `name` (ioredis follows failovers). */
  sentinels: Array<{ host: string; port: number }> | undefined;
  sentinelName: string;
}

export interface ClusterConfig {
  redis: RedisTarget;
  /** Prepended to every Redis key and channel. */
  redisPrefix: string;
  s3: S3Config;
  /** A node whose heartbeat is older than this is dead: its members leave, its uploads wait for a resume elsewhere. */
  nodeTimeoutMs: number;
}

/** Node ids name Engine.IO ids (`<node>.<random>`) that HAProxy routes on: no dots. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

const S3_VARIABLES = ['S3_ENDPOINT', 'S3_BUCKET', 'S3_REGION', 'S3_PREFIX', 'S3_FORCE_PATH_STYLE'] as const;

const isSet = (env: Env, name: string) => (env[name]?.trim() ?? '') !== '';

/** NODE_ID: required in cluster mode; alone, a node is "local". */
export function nodeId(env: Env, clustered: boolean): string {
  const raw = env.NODE_ID?.trim();
  if (!raw) {
    if (clustered) throw new ConfigError('NODE_ID must be set in cluster mode (REDIS_URL): a name unique to this node, like node1');
    return 'local';
  }
  if (!NODE_ID_PATTERN.test(raw)) {
    throw new ConfigError(`NODE_ID must be 1-32 characters from A-Z, a-z, 0-9, "_" and "-", got "${raw}"`);
  }
  return raw;
}

function redisUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('REDIS_URL must be a URL like redis://127.0.0.1:6379 or rediss://user:password@host:6380/0');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError(`REDIS_URL must start with redis:// or rediss://, got "${url.protocol}//"`);
  }
  return raw;
}

function s3(env: Env): S3Config {
  const bucket = env.S3_BUCKET?.trim() ?? '';
  if (!bucket) {
    throw new ConfigError('S3_BUCKET must be set when REDIS_URL is set: every node reads and writes chunks in the same bucket (and S3_ENDPOINT for a service other than AWS)');
  }
  // S3's rules for bucket names (the strictest service's), so a typo fails here and not on the first chunk.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..')) {
    throw new ConfigError(`S3_BUCKET must be a bucket name (3-63 characters: a-z, 0-9, "." and "-"), got "${bucket}"`);
  }
  const rawEndpoint = env.S3_ENDPOINT?.trim() || undefined;
  if (rawEndpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(rawEndpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new ConfigError(`S3_ENDPOINT must be an http:// or https:// URL, got "${rawEndpoint}"`);
    }
  }
  const keyPrefix = env.S3_PREFIX?.trim() ?? '';
  if (keyPrefix !== '' && !/^[A-Za-z0-9_./-]{1,200}$/.test(keyPrefix)) {
    throw new ConfigError(`S3_PREFIX must be up to 200 characters from A-Z, a-z, 0-9, "_", "-", "." and "/", got "${keyPrefix}"`);
  }
  const accessKey = isSet(env, 'AWS_ACCESS_KEY_ID');
  const secretKey = isSet(env, 'AWS_SECRET_ACCESS_KEY');
  if (accessKey !== secretKey) {
    const missing = accessKey ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID';
    throw new ConfigError(`${missing} must be set together with ${accessKey ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY'} (the object store's credentials)`);
  }
  return {
    endpoint: rawEndpoint,
    bucket,
    region: env.S3_REGION?.trim() || 'us-east-1',
    forcePathStyle: boolean(env, 'S3_FORCE_PATH_STYLE', rawEndpoint !== undefined),
    keyPrefix,
    credentials: accessKey ? { accessKeyId: env.AWS_ACCESS_KEY_ID!.trim(), secretAccessKey: env.AWS_SECRET_ACCESS_KEY!.trim() } : undefined,
    requestTimeoutMs: duration(env, 'S3_REQUEST_TIMEOUT', 10_000, 500, 600_000),
  };
}

function sentinels(raw: string): Array<{ host: string; port: number }> {
  return raw.split(',').map((entry) => {
    const match = /^\s*([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\s*$/.exec(entry);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65_535) {
      throw new ConfigError(`REDIS_SENTINELS must be a comma-separated list of host:port, got "${raw}"`);
    }
    return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
  });
}

/** The cluster settings, or undefined for a node on its own. */
export function clusterConfig(env: Env): ClusterConfig | undefined {
  const raw = env.REDIS_URL?.trim() || undefined;
  const rawSentinels = env.REDIS_SENTINELS?.trim() || undefined;
  if (!raw && !rawSentinels) {
    const stray = S3_VARIABLES.find((name) => isSet(env, name));
    if (stray) throw new ConfigError(`${stray} is set but REDIS_URL is not: the object store is used in cluster mode, which needs Redis`);
    return undefined;
  }
  const prefix = env.REDIS_PREFIX?.trim() || 'sharethings:';
  if (!/^[A-Za-z0-9_:.-]{1,64}$/.test(prefix)) {
    throw new ConfigError(`REDIS_PREFIX must be up to 64 characters from A-Z, a-z, 0-9, "_", ":", "." and "-", got "${prefix}"`);
  }
  const sentinelName = env.REDIS_SENTINEL_NAME?.trim() || 'mymaster';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(sentinelName)) {
    throw new ConfigError(`REDIS_SENTINEL_NAME must be 1-64 characters from A-Z, a-z, 0-9, ".", "_" and "-", got "${sentinelName}"`);
  }
  return {
    redis: { url: raw === undefined ? undefined : redisUrl(raw), sentinels: rawSentinels ? sentinels(rawSentinels) : undefined, sentinelName },
    redisPrefix: prefix,
    s3: s3(env),
    nodeTimeoutMs: duration(env, 'NODE_TIMEOUT', 5_000, 1_000, 600_000),
  };
}

/** Where Redis is, with any password replaced, for messages and logs. */
export function describeRedis(target: RedisTarget): string {
  if (target.sentinels) return `primary "${target.sentinelName}" of sentinels ${target.sentinels.map(({ host, port }) => `${host}:${port}`).join(',')}`;
  try {
    const url = new URL(target.url!);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'the REDIS_URL given';
  }
}
