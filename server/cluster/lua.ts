/**
 * A Lua script run in Redis by its SHA-1, loaded on first use (and again
 * after a Redis restart forgot it). Scripts make each change of shared state
 * atomic: a check and the write it allows happen as one step for every node.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type ScriptArgument = string | number | Buffer | Uint8Array;

export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Replies with strings (bulk strings as JavaScript strings). */
  run(redis: Redis, keys: string[], args: ScriptArgument[] = []): Promise<unknown> {
    return this.call(redis, keys, args, false);
  }

  /** Replies with Buffers (for scripts returning binary fields). */
  runBuffer(redis: Redis, keys: string[], args: ScriptArgument[] = []): Promise<unknown> {
    return this.call(redis, keys, args, true);
  }

  private async call(redis: Redis, keys: string[], args: ScriptArgument[], buffers: boolean): Promise<unknown> {
    const params = [...keys, ...args.map((arg) => (arg instanceof Uint8Array && !Buffer.isBuffer(arg) ? Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength) : arg))] as Array<string | number | Buffer>;
    const send = (command: 'evalsha' | 'eval', first: string) =>
      buffers ? redis.callBuffer(command, first, keys.length, ...params) : redis.call(command, first, keys.length, ...params);
    try {
      return await send('evalsha', this.sha);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return send('eval', this.source);
    }
  }
}
