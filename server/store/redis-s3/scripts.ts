/**
 * The Lua scripts of redis-s3-store.ts: every change of a session or an item
 * is one atomic step, checks and writes together, whichever node runs it.
 * Numbers handed to redis.call keep their full precision (Redis formats them
 * with 17 digits); tostring() would not, so it is never used on them. A
 * negated number is written `0 - n`: `-n` of 0 is -0, which Redis 7.0 turns
 * into "-0" and refuses as an integer.
 *
 * An item's stored chunks are a BITFIELD of unsigned 32-bit words, one per
 * chunk: 0 while missing, else the random suffix of the object that holds it
 * (`<blobs>/<index>.<suffix>`), so every write of a chunk goes to an object
 * of its own and only the one committed first is ever read.
 *
 * Timeline scores: a pinned item has PINNED_OFFSET added to its timestamp, so
 * one reverse range gives pinned items first, then newest first (timestamps
 * are unique within a session).
 */
import { LuaScript } from '../../cluster/lua.ts';

export const PINNED_OFFSET = 2 ** 52;

export const timelineScore = (pinned: boolean, timestamp: number) => (pinned ? PINNED_OFFSET : 0) + timestamp;

/**
 * KEYS: session, sessions. ARGV: session id, verifier, now, blobs id.
 * Reply: {created 0/1, verifier, created at, last active}.
 */
export const CREATE_SESSION = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  local s = redis.call('HMGET', KEYS[1], 'verifier', 'created', 'active')
  return {0, s[1], s[2], s[3]}
end
redis.call('HSET', KEYS[1], 'verifier', ARGV[2], 'created', ARGV[3], 'active', ARGV[3], 'bytes', 0, 'items', 0, 'lastTs', 0, 'blobs', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return {1, ARGV[2], ARGV[3], ARGV[3]}
`);

/** KEYS: session, sessions. ARGV: session id, now. */
export const TOUCH_SESSION = new LuaScript(`
local active = redis.call('HGET', KEYS[1], 'active')
if active and tonumber(ARGV[2]) > tonumber(active) then
  redis.call('HSET', KEYS[1], 'active', ARGV[2])
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
end
return 0
`);

/** Deletes one item's keys and queues its objects for deletion (Lua body shared by the scripts below). */
const DROP_ITEM = `
local function dropItem(itemKey, chunksKey, sessionKey, timelineKey, uploadsKey, trashKey, cid, member, now)
  local fields = redis.call('HMGET', itemKey, 'blobs', 'bytes')
  if not fields[1] then return 0 end
  redis.call('HINCRBY', sessionKey, 'bytes', 0 - tonumber(fields[2]))
  redis.call('HINCRBY', sessionKey, 'items', -1)
  redis.call('DEL', itemKey, chunksKey)
  redis.call('ZREM', timelineKey, cid)
  redis.call('ZREM', uploadsKey, member)
  redis.call('ZADD', trashKey, now, fields[1] .. '/')
  return 1
end
`;

/**
 * KEYS: session, sessions, timeline, uploads, trash. ARGV: session id, key prefix, now,
 * idle before ('' = whatever its activity: deleted only if not active since then).
 * Reply: 1 if it deleted the session.
 */
export const DELETE_SESSION = new LuaScript(`
local s = redis.call('HMGET', KEYS[1], 'blobs', 'active')
local blobs = s[1]
if not blobs then return 0 end
if ARGV[4] ~= '' and tonumber(s[2]) >= tonumber(ARGV[4]) then return 0 end
for _, cid in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  redis.call('DEL', ARGV[2] .. 'item:' .. ARGV[1] .. ':' .. cid, ARGV[2] .. 'chunks:' .. ARGV[1] .. ':' .. cid)
  redis.call('ZREM', KEYS[4], ARGV[1] .. ':' .. cid)
end
redis.call('DEL', KEYS[1], KEYS[3])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[3], blobs .. '/')
return 1
`);

/**
 * KEYS: session, timeline, item, uploads.
 * ARGV: content id, meta, size, total chunks, now, max items ('' = none), max bytes, item blobs id, upload member.
 * Reply: {'OK', timestamp, generation, blobs} or {'NO_SESSION'} / {'CONFLICT'} / {'QUOTA_ITEMS'} / {'QUOTA_BYTES'}.
 */
export const ADD_ITEM = new LuaScript(`
local s = redis.call('HMGET', KEYS[1], 'items', 'bytes', 'lastTs', 'blobs')
if not s[4] then return {'NO_SESSION'} end
if redis.call('EXISTS', KEYS[3]) == 1 then return {'CONFLICT'} end
local size = tonumber(ARGV[3])
if ARGV[6] ~= '' and tonumber(s[1]) >= tonumber(ARGV[6]) then return {'QUOTA_ITEMS'} end
if ARGV[7] ~= '' and tonumber(s[2]) + size > tonumber(ARGV[7]) then return {'QUOTA_BYTES'} end
local ts = math.max(tonumber(ARGV[5]), tonumber(s[3]) + 1)
local total = tonumber(ARGV[4])
local gen = 0
if total > 0 then gen = 1 end
local blobs = s[4] .. '/' .. ARGV[8]
redis.call('HSET', KEYS[1], 'lastTs', ts)
redis.call('HINCRBY', KEYS[1], 'items', 1)
redis.call('HINCRBY', KEYS[1], 'bytes', size)
redis.call('HSET', KEYS[3], 'meta', ARGV[2], 'pinned', 0, 'total', total, 'received', 0, 'bytes', size, 'gen', gen, 'ts', ts, 'active', ARGV[5], 'blobs', blobs)
redis.call('ZADD', KEYS[2], ts, ARGV[1])
if total > 0 then redis.call('ZADD', KEYS[4], ARGV[5], ARGV[9]) end
return {'OK', ts, gen, blobs}
`);

/**
 * Records a chunk whose object is stored. A chunk recorded already is a repeat
 * (whoever sends it, even once the item is complete): 'DUP', and the new
 * object is not used. Otherwise the owner generation and the limits are
 * checked with the write.
 * KEYS: item, chunks, session, uploads.
 * ARGV: index, size, generation ('' = unchecked), max item bytes, max session bytes, now, blobs, upload member, object suffix.
 * Reply: {'OK' | 'DUP', received, total, bytes} or {'GONE'} / {'STALE'} / {'RANGE'} / {'TOO_LARGE'} / {'QUOTA'}.
 */
export const COMMIT_CHUNK = new LuaScript(`
local item = redis.call('HMGET', KEYS[1], 'blobs', 'total', 'received', 'bytes', 'gen')
if not item[1] or item[1] ~= ARGV[7] then return {'GONE'} end
local total, received, bytes = tonumber(item[2]), tonumber(item[3]), tonumber(item[4])
local index = tonumber(ARGV[1])
if index >= total then return {'RANGE'} end
local slot = '#' .. ARGV[1]
if redis.call('BITFIELD', KEYS[2], 'GET', 'u32', slot)[1] ~= 0 then return {'DUP', received, total, bytes} end
local checked = ARGV[3] ~= ''
if checked and (received == total or item[5] ~= ARGV[3]) then return {'STALE'} end
local size = tonumber(ARGV[2])
if checked then
  if bytes + size > tonumber(ARGV[4]) then return {'TOO_LARGE'} end
  if tonumber(redis.call('HGET', KEYS[3], 'bytes') or 0) + size > tonumber(ARGV[5]) then return {'QUOTA'} end
end
redis.call('BITFIELD', KEYS[2], 'SET', 'u32', slot, ARGV[9])
received = redis.call('HINCRBY', KEYS[1], 'received', 1)
bytes = redis.call('HINCRBY', KEYS[1], 'bytes', size)
redis.call('HINCRBY', KEYS[3], 'bytes', size)
redis.call('HSET', KEYS[1], 'active', ARGV[6])
if received == total then redis.call('ZREM', KEYS[4], ARGV[8]) else redis.call('ZADD', KEYS[4], ARGV[6], ARGV[8]) end
return {'OK', received, total, bytes}
`);

/**
 * A new owner generation for an unfinished upload.
 * KEYS: item, chunks, uploads. ARGV: now, upload member.
 * Reply: {'OK', generation, blobs, total, stored chunks (the BITFIELD)} or {'GONE'} / {'COMPLETE'}.
 */
export const CLAIM_UPLOAD = new LuaScript(`
local item = redis.call('HMGET', KEYS[1], 'blobs', 'total', 'received')
if not item[1] then return {'GONE'} end
if item[2] == item[3] then return {'COMPLETE'} end
local gen = redis.call('HINCRBY', KEYS[1], 'gen', 1)
redis.call('HSET', KEYS[1], 'active', ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[1], ARGV[2])
return {'OK', gen, item[1], tonumber(item[2]), redis.call('GET', KEYS[2]) or ''}
`);

/** KEYS: item, uploads. ARGV: generation, now, upload member. */
export const RELEASE_UPLOAD = new LuaScript(`
local item = redis.call('HMGET', KEYS[1], 'gen', 'total', 'received')
if item[1] == ARGV[1] and item[2] ~= item[3] then
  redis.call('HSET', KEYS[1], 'active', ARGV[2])
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
end
return 0
`);

/**
 * KEYS: item, chunks, session, timeline, uploads, trash.
 * ARGV: content id, upload member, now, only if unfinished ('1' / '0'), stalled before ('' = whenever).
 * Reply: 1 if removed.
 */
export const REMOVE_ITEM = new LuaScript(`
${DROP_ITEM}
if ARGV[4] == '1' then
  local item = redis.call('HMGET', KEYS[1], 'total', 'received', 'active')
  if not item[1] or item[1] == item[2] then return 0 end
  if ARGV[5] ~= '' and tonumber(item[3]) >= tonumber(ARGV[5]) then return 0 end
end
return dropItem(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], ARGV[1], ARGV[2], ARGV[3])
`);

/**
 * Removes every item of a session; new items go under a new blobs id, the old one is deleted whole.
 * KEYS: session, timeline, uploads, trash. ARGV: session id, key prefix, now, new blobs id.
 * Reply: how many items were removed.
 */
export const CLEAR_ITEMS = new LuaScript(`
local blobs = redis.call('HGET', KEYS[1], 'blobs')
if not blobs then return 0 end
local ids = redis.call('ZRANGE', KEYS[2], 0, -1)
for _, cid in ipairs(ids) do
  redis.call('DEL', ARGV[2] .. 'item:' .. ARGV[1] .. ':' .. cid, ARGV[2] .. 'chunks:' .. ARGV[1] .. ':' .. cid)
  redis.call('ZREM', KEYS[3], ARGV[1] .. ':' .. cid)
end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'bytes', 0, 'items', 0, 'blobs', ARGV[4])
redis.call('ZADD', KEYS[4], ARGV[3], blobs .. '/')
return #ids
`);

/**
 * KEYS: item, timeline. ARGV: content id, pinned ('' = unchanged, '0', '1'), name ('' = unchanged).
 * Reply: the item's hash, or nil when there is no such item.
 */
export const UPDATE_ITEM = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[1], 'pinned', ARGV[2])
  local score = tonumber(redis.call('HGET', KEYS[1], 'ts'))
  if ARGV[2] == '1' then score = score + ${PINNED_OFFSET} end
  redis.call('ZADD', KEYS[2], score, ARGV[1])
end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'name', ARGV[3]) end
return redis.call('HGETALL', KEYS[1])
`);
