-- adopt. ARGV[3] job id, ARGV[4] claim, ARGV[5] bound TTL ms, ARGV[6] key TTL ms.
-- Returns 1 if the lease is new, 0 if it existed (expiry renewed) or the job is a tombstone.
local job = ARGV[3]
wake(sweep())
if redis.call('ZSCORE', gone, job) then
  return 0
end
local known = redis.call('ZSCORE', leases, 'j:' .. job)
put('j:' .. job, ARGV[4], now + tonumber(ARGV[5]))
keep(tonumber(ARGV[6]))
if known then
  return 0
end
return 1
