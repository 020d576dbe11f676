-- bind. ARGV[3] ticket, ARGV[4] bound TTL ms, ARGV[5] key TTL ms, ARGV[6] tombstone TTL ms,
-- ARGV[7..] job ids in claim order.
-- KEYS[5..] (not on a Cluster) the owner key of each job id, in the same order: each job bound is
-- recorded there (its owner, for releases by job id alone), and a job whose owner key says it was
-- released before it was owned (a quick job's finish passing its run_job reply) is not bound.
-- Returns the job ids bound. Leases without a job id, or whose job id is a tombstone, are freed.
local ticket, ttl = ARGV[3], tonumber(ARGV[4])
local first_job = 7
local indexed = #KEYS > 4
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
  local owner_key = indexed and job and KEYS[5 + i]
  if owner_key and redis.call('GET', owner_key) == GONE then
    -- finished already: released as release.lua would (a tombstone, the owner key deleted)
    redis.call('ZADD', gone, now + tonumber(ARGV[6]), job)
    redis.call('DEL', owner_key)
    job = nil
  end
  if job and not redis.call('ZSCORE', gone, job) then
    put('j:' .. job, claim, now + ttl)
    if owner_key then
      redis.call('SET', owner_key, user, 'PX', ttl)
    end
    bound[#bound + 1] = job
  else
    freed = freed + 1
  end
  i = i + 1
end
keep(tonumber(ARGV[5]))
wake(freed)
return bound
