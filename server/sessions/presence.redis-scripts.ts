/**
 * The Lua scripts of presence.redis.ts. Each is one atomic step for every
 * node: a join checks the capacity and adds the member together; a node's
 * members are removed together with the check that it stopped. Times are
 * Redis' own (TIME), so the nodes' clocks do not matter.
 */
import { LuaScript } from '../cluster/lua.ts';

const NOW_MS = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS: members, member-nodes, node-sessions of this node, member-order.
 * ARGV: client id, node id, name, capacity, session id.
 * Reply: {'FULL'} or {'OK', already (0/1), members (flat hash), nodes with members}.
 */
export const JOIN = new LuaScript(`
local existing = redis.call('HGET', KEYS[1], ARGV[1])
local order
if existing then
  order = cjson.decode(existing)[1]
else
  if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return {'FULL'} end
  order = redis.call('INCR', KEYS[4])
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  redis.call('SADD', KEYS[3], ARGV[5])
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({order, ARGV[2], ARGV[3]}))
return {'OK', existing and 1 or 0, redis.call('HGETALL', KEYS[1]), redis.call('HKEYS', KEYS[2])}
`);

/**
 * KEYS: members, member-nodes. ARGV: client id, session id, key prefix.
 * Reply: 1 if the member was there.
 */
export const LEAVE = new LuaScript(`
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if not existing then return 0 end
local node = cjson.decode(existing)[2]
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HINCRBY', KEYS[2], node, -1) <= 0 then
  redis.call('HDEL', KEYS[2], node)
  redis.call('SREM', ARGV[3] .. 'node-sessions:' .. node, ARGV[2])
end
return 1
`);

/**
 * A beat counts only for the incarnation that registered (its token): once a
 * node was found dead, its beats, even ones sent before and delivered late
 * (a cut link that heals), no longer register it; it must register anew.
 * KEYS: nodes, node tokens. ARGV: node id, token. Reply: 1, or 0 when this incarnation was removed.
 */
export const HEARTBEAT = new LuaScript(`
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
${NOW_MS}
redis.call('ZADD', KEYS[1], now, ARGV[1])
return 1
`);

/** A node's new incarnation. KEYS: nodes, node tokens. ARGV: node id, token. */
export const REGISTER = new LuaScript(`
${NOW_MS}
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], now, ARGV[1])
return 1
`);

/**
 * Removes the members of every node whose heartbeat is older than the
 * timeout (ARGV[3] = '0'), or of one node whatever its heartbeat
 * (ARGV[3] = '1', ARGV[4] = the node: a node's own leftovers).
 * KEYS: nodes, node tokens. ARGV: timeout ms, key prefix, force, node.
 * Reply: flat list of session id, {client ids removed}.
 */
export const REAP = new LuaScript(`
${NOW_MS}
local nodes
if ARGV[3] == '1' then nodes = {ARGV[4]} else nodes = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[1]))) end
local out = {}
for _, node in ipairs(nodes) do
  redis.call('ZREM', KEYS[1], node)
  redis.call('HDEL', KEYS[2], node)
  local sessionsKey = ARGV[2] .. 'node-sessions:' .. node
  for _, sid in ipairs(redis.call('SMEMBERS', sessionsKey)) do
    local membersKey = ARGV[2] .. 'members:' .. sid
    local all = redis.call('HGETALL', membersKey)
    local removed = {}
    for i = 1, #all, 2 do
      if cjson.decode(all[i + 1])[2] == node then
        redis.call('HDEL', membersKey, all[i])
        removed[#removed + 1] = all[i]
      end
    end
    redis.call('HDEL', ARGV[2] .. 'member-nodes:' .. sid, node)
    if #removed > 0 then
      out[#out + 1] = sid
      out[#out + 1] = removed
    end
  end
  redis.call('DEL', sessionsKey)
end
return out
`);
