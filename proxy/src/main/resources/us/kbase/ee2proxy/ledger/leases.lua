-- leases: trackedJobs and counts in one step. Returns {2k, job id 1, claim 1, ..., job id k,
-- claim k, server time us, jobs, parents, reserve kept ms, app1, n1, ...}: the user's live bound leases, then the
-- counts as counts.lua answers them.
wake(sweep())
local ids = redis.call('ZRANGE', leases, 0, -1)
local out = {0}
for _, id in ipairs(ids) do
  if string.sub(id, 1, 2) == 'j:' then
    out[#out + 1] = string.sub(id, 3)
    out[#out + 1] = redis.call('HGET', claims, id)
  end
end
out[1] = #out - 1
for _, v in ipairs(counts()) do
  out[#out + 1] = v
end
return out
