-- write.lua is the one write path of state.redis: Put, Delete and Batch.
-- It runs atomically: every condition is checked before anything is written,
-- then the store-wide revision is incremented once and every op is applied
-- together with its key-index update.
--
-- KEYS[1]    the revision counter (a string holding an integer)
-- KEYS[2]    the key index (a sorted set, score 0, member = key)
-- KEYS[3..]  the entry hashes of the ops, in op order
-- ARGV[1]    the length of the entry-hash key prefix: stripping it from an
--            entry-hash key gives the index member
-- ARGV[3i-1] op i: "p" (put) or "d" (delete)
-- ARGV[3i]   op i: the expected version ("" unconditional, "0" absent)
-- ARGV[3i+1] op i: the value ("" for a delete)
--
-- Returns {0, revision} after writing, or {i, current version of op i's key}
-- when op i's condition fails, having written nothing.
local plen = tonumber(ARGV[1])
local n = #KEYS - 2
for i = 1, n do
  local want = ARGV[3 * i]
  if want ~= '' then
    local cur = redis.call('HGET', KEYS[i + 2], 'r') or '0'
    if cur ~= want then
      return {i, cur}
    end
  end
end
local rev = string.format('%d', redis.call('INCR', KEYS[1]))
for i = 1, n do
  local key = KEYS[i + 2]
  local member = string.sub(key, plen + 1)
  if ARGV[3 * i - 1] == 'd' then
    if redis.call('DEL', key) == 1 then
      redis.call('ZREM', KEYS[2], member)
    end
  else
    redis.call('HSET', key, 'r', rev, 'v', ARGV[3 * i + 1])
    redis.call('ZADD', KEYS[2], 0, member)
  end
end
return {0, rev}
