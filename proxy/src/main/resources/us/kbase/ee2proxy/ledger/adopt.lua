-- adopt. ARGV[3] job id, ARGV[4] claim, ARGV[5] bound TTL ms, ARGV[6] key TTL ms.
-- Returns {added, server time us, counts...}: added is 1 if the lease is new, 0 if it existed
-- (expiry renewed) or the job is a tombstone.
local job = ARGV[3]
wake(sweep())
local added = 0
if not redis.call('ZSCORE', gone, job) then
  if not redis.call('ZSCORE', leases, 'j:' .. job) then
    added = 1
  end
  put('j:' .. job, ARGV[4], now + tonumber(ARGV[5]))
  keep(tonumber(ARGV[6]))
end
local out = counts()
table.insert(out, 1, added)
return out
