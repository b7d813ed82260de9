/**
 * The sweeper's lease in Redis: a key naming its holder, with a time to
 * live. The holder renews it on every sweep; when it stops (killed, hung, cut
 * off), the key expires and the next node to sweep takes it.
 */
import type { Redis } from 'ioredis';
import { LuaScript } from '../cluster/lua.ts';
import type { Lease } from './lease.ts';

/** KEYS: lease. ARGV: holder, ttl ms. Reply: 1 if `holder` holds it now. */
const HOLD = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
`);

/** KEYS: lease. ARGV: holder. */
const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`);

export class RedisLease implements Lease {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly holder: string,
    private readonly ttlMs: number,
  ) {}

  async hold(): Promise<boolean> {
    // Redis unreachable: nobody can sweep (sweeping needs Redis anyway).
    return (await HOLD.run(this.redis, [this.key], [this.holder, this.ttlMs]).catch(() => 0)) === 1;
  }

  async release(): Promise<void> {
    await RELEASE.run(this.redis, [this.key], [this.holder]);
  }
}
