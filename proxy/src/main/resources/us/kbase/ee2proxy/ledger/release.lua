-- releaseTicket / releaseJob. ARGV[3] 'ticket' | 'job', ARGV[4] the ticket or job id,
-- ARGV[5] tombstone TTL ms, ARGV[6] key TTL ms. Returns how many leases were freed.
local kind, id = ARGV[3], ARGV[4]
local swept = sweep()
local freed = 0
if kind == 'ticket' then
  while drop('t:' .. id .. ':' .. freed) == 1 do
    freed = freed + 1
  end
else
  freed = drop('j:' .. id)
  -- Remember the job as gone, so a late bind, replay or adopt of it takes nothing.
  redis.call('ZADD', gone, now + tonumber(ARGV[5]), id)
  keep(tonumber(ARGV[6]))
end
wake(freed + swept)
return freed
