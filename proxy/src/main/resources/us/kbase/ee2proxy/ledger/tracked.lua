-- trackedJobs (read only). Returns {job id 1, claim 1, job id 2, claim 2, ...} of live bound leases.
local ids = redis.call('ZRANGEBYSCORE', leases, '(' .. now, '+inf')
local out = {}
for _, id in ipairs(ids) do
  if string.sub(id, 1, 2) == 'j:' then
    out[#out + 1] = string.sub(id, 3)
    out[#out + 1] = redis.call('HGET', claims, id)
  end
end
return out
