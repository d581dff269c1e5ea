package redisstore

import "github.com/redis/go-redis/v9"

// cacheSetScript stores an entry and indexes it under its resource, and
// drops from the index the entries that have expired, so that the index
// holds about as many keys as the resource has live entries. The index
// lives as long as the longest-lived entry it holds.
// KEYS: entry, index. ARGV: value, time to live in ms.
var cacheSetScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. now)
redis.call('ZADD', KEYS[2], now + ttl, KEYS[1])
if redis.call('PTTL', KEYS[2]) < ttl then
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return 1
`)

// cacheDeleteScript removes one entry and its place in the index.
// KEYS: entry, index.
var cacheDeleteScript = redis.NewScript(`
redis.call('UNLINK', KEYS[1])
redis.call('ZREM', KEYS[2], KEYS[1])
return 1
`)

// cacheInvalidateScript removes the entries of one resource whose keys
// start with a prefix, found through the resource's index (never by
// scanning the keyspace), and their places in the index; an index left
// empty is removed by Redis. The entries share the index's hash slot.
// KEYS: index. ARGV: prefix of the entry keys to remove.
// Returns the number of entries removed from the index.
var cacheInvalidateScript = redis.NewScript(`
local p = ARGV[1]
local n = #p
local batch, removed = {}, 0
local function drop()
  redis.call('UNLINK', unpack(batch))
  redis.call('ZREM', KEYS[1], unpack(batch))
  removed = removed + #batch
  batch = {}
end
for _, k in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(k, 1, n) == p then
    batch[#batch + 1] = k
    if #batch == 500 then drop() end
  end
end
if #batch > 0 then drop() end
return removed
`)

// cacheDropIndexScript removes an index and every entry it lists, which
// share its hash slot, at once. A key of another type is only removed.
// KEYS: index.
var cacheDropIndexScript = redis.NewScript(`
if redis.call('TYPE', KEYS[1]).ok == 'zset' then
  local keys = redis.call('ZRANGE', KEYS[1], 0, -1)
  for i = 1, #keys, 500 do
    redis.call('UNLINK', unpack(keys, i, math.min(i + 499, #keys)))
  end
end
redis.call('UNLINK', KEYS[1])
return 1
`)
