-- releaseTicket / releaseJob. ARGV[3] 'ticket' | 'job', ARGV[4] the ticket or job id,
-- ARGV[5] tombstone TTL ms, ARGV[6] key TTL ms. KEYS[5] (a job, not on a Cluster) the job's owner
-- key, deleted with the lease. Returns how many leases were freed.
local kind, id = ARGV[3], ARGV[4]
local swept = sweep()
local freed = 0
if kind == 'ticket' then
  while drop('t:' .. id .. ':' .. freed) == 1 do
    freed = freed + 1
  end
else
  freed = release_job(id, tonumber(ARGV[5]), tonumber(ARGV[6]))
  if KEYS[5] then
    redis.call('DEL', KEYS[5])
  end
end
wake(freed + swept)
return freed
