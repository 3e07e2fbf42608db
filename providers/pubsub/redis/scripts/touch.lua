-- touch.lua resets the idle time of the entries a member holds (is
-- handling, or has read and will handle next), so that no other member
-- claims them while the member is alive. Delivery counts do not change.
--
-- KEYS[1]  the topic's stream
-- ARGV[1]  the group
-- ARGV[2]  the consumer (the member)
-- ARGV[3..] entry ids
--
-- Returns how many entries were still pending for the consumer.
local n = 0
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #p == 1 and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    n = n + 1
  end
end
return n
