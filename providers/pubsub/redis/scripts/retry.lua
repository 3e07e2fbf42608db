-- retry.lua keeps a failed message with the member that holds it, for its
-- next attempt: when the entry is still pending for this consumer, it
-- resets the entry's idle time (so no other member claims it meanwhile) and
-- sets its delivery count to the attempt about to start.
--
-- KEYS[1]  the topic's stream
-- ARGV[1]  the group
-- ARGV[2]  the consumer (the member)
-- ARGV[3]  the entry id
-- ARGV[4]  the attempt about to start
--
-- Returns 1, or 0 when the entry is no longer this consumer's: another
-- member claimed it, or the stream was trimmed past it.
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 0 or p[1][2] ~= ARGV[2] then
  return 0
end
local claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'RETRYCOUNT', ARGV[4], 'JUSTID')
return #claimed
