-- list.lua reads one page of a prefix listing atomically: the keys from the
-- index in byte order, then each key's version and value.
--
-- KEYS[1]  the key index (a sorted set, score 0, member = key)
-- ARGV[1]  the ZRANGEBYLEX min bound ("[prefix", "(after" or "-")
-- ARGV[2]  the ZRANGEBYLEX max bound ("(successor of prefix" or "+")
-- ARGV[3]  how many keys to read at most
-- ARGV[4]  the entry-hash key prefix (prepended to a key gives its hash)
--
-- Returns a flat array: key, version, value, key, version, value, ...
local keys = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], ARGV[2], 'LIMIT', 0, ARGV[3])
local out = {}
for i, key in ipairs(keys) do
  local e = redis.call('HMGET', ARGV[4] .. key, 'r', 'v')
  out[3 * i - 2] = key
  out[3 * i - 1] = e[1]
  out[3 * i] = e[2]
end
return out
