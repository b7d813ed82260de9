/** The log-tag secret of a cluster when LOG_TAG_SECRET is unset: the first node to start makes it, in Redis (SET NX), and every node uses it. */
import type { Redis } from 'ioredis';
import { ConfigError } from '../config-values.ts';
import { GENERATED_SECRET, newLogTagSecret } from '../log-tag.ts';

export async function sharedLogTagSecret(redis: Redis, key: string): Promise<string> {
  await redis.set(key, newLogTagSecret(), 'NX');
  const secret = await redis.get(key);
  if (secret === null || !GENERATED_SECRET.test(secret)) {
    throw new ConfigError(`The log-tag secret in Redis (${key}) is missing or damaged: delete the key or set LOG_TAG_SECRET`);
  }
  return secret;
}
