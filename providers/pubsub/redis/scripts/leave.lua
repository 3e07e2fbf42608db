-- leave.lua deletes a consumer from its group when no message is pending
-- for it. A consumer with pending messages stays, so that another member
-- can claim them (XGROUP DELCONSUMER would discard them).
--
-- KEYS[1]  the topic's stream
-- ARGV[1]  the group
-- ARGV[2]  the consumer
--
-- Returns 1 when the consumer was deleted, else 0.
local p = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if #p > 0 then
  return 0
end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
