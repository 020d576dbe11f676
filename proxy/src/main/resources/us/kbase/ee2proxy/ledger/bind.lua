-- bind. ARGV[3] ticket, ARGV[4] bound TTL ms, ARGV[5] key TTL ms, ARGV[6..] job ids in claim order.
-- Returns the job ids bound. Leases without a job id, or whose job id is a tombstone, are freed.
local ticket, ttl = ARGV[3], tonumber(ARGV[4])
local first_job = 6
local freed = sweep()
local bound = {}
local i = 0
while true do
  local id = 't:' .. ticket .. ':' .. i
  local claim = redis.call('HGET', claims, id)
  if not claim then
    break
  end
  drop(id)
  local job = ARGV[first_job + i]
  if job and not redis.call('ZSCORE', gone, job) then
    put('j:' .. job, claim, now + ttl)
    bound[#bound + 1] = job
  else
    freed = freed + 1
  end
  i = i + 1
end
keep(tonumber(ARGV[5]))
wake(freed)
return bound
