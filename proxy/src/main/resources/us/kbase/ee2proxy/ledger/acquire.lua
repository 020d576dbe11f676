-- tryAcquire. ARGV[3] ticket, ARGV[4] parent limit, ARGV[5] job limit, ARGV[6] provisional TTL ms,
-- ARGV[7] key TTL ms, ARGV[8] the job limit while the user's reserve is lent (no own call within
-- children.reserveFor), ARGV[9] for a user's own call: how long (ms) from now its reserve is kept
-- (0: not an own call, or the reserve is never lent), ARGV[10] how many child bounds B, then B
-- pairs (the prefix of the claims of one parent's children "c:<bytes>:<parent>:", or "c:" for
-- every child; at most this many of them), then the claims.
-- KEYS[5] (not on a Cluster) the generation key, read in the same step.
-- Returns {admitted 0|1|2, master_replid, master_replid2, connected replicas, generation, server
-- time us, counts...}: generation is the generation key's value, '' when the key is gone or was
-- not given. admitted is 2 when a child bound would be exceeded (nothing taken: the call is no running app's
-- child), checked before the caps. The master's replication ids say which data set decided (a
-- replica promoted by a failover has a new id and its old master's as the second; see MasterWatch.java).
local ticket = ARGV[3]
local parent_limit, job_limit, ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local lent_limit, marks_ms = tonumber(ARGV[8]), tonumber(ARGV[9])
local bounds = tonumber(ARGV[10])
local first_claim = 11 + 2 * bounds
local n = #ARGV - first_claim + 1
local freed = sweep()
local admitted = 0
if marks_ms > 0 then
  -- The user's own call, fitting or not (one waiting at the proxy is theirs too): keep the reserve.
  local until_ms = now + marks_ms
  local before = tonumber(redis.call('HGET', claims, OWN_CALL) or '0')
  if until_ms > before then
    redis.call('HSET', claims, OWN_CALL, until_ms)
  end
  keep(tonumber(ARGV[7]))
elseif reserve_kept() == 0 then
  job_limit = lent_limit -- the user is away: the reserve is lent to children
end

-- How many of these claims begin with prefix.
local function children_of(prefix, list, from)
  local count = 0
  for i = from, #list do
    if string.sub(list[i], 1, #prefix) == prefix then
      count = count + 1
    end
  end
  return count
end

if n == 0 or redis.call('HEXISTS', claims, 't:' .. ticket .. ':0') == 1 then
  admitted = 1 -- the same ticket again (a retry after a timeout): admitted once, taken once
else
  -- A user's leases are few (tens); only a call with a running app's children reads them all.
  local held = bounds > 0 and redis.call('HVALS', claims) or {}
  for b = 0, bounds - 1 do
    local prefix, limit = ARGV[11 + 2 * b], tonumber(ARGV[12 + 2 * b])
    if admitted == 0 and children_of(prefix, held, 1) + children_of(prefix, ARGV, first_claim) > limit then
      admitted = 2
    end
  end
  local asked_parents = 0
  for i = first_claim, #ARGV do
    if is_parent(ARGV[i]) then
      asked_parents = asked_parents + 1
    end
  end
  if admitted == 0 and redis.call('ZCARD', parents) + asked_parents <= parent_limit
      and redis.call('ZCARD', leases) + n <= job_limit then
    for i = 0, n - 1 do
      put('t:' .. ticket .. ':' .. i, ARGV[first_claim + i], now + ttl)
    end
    keep(tonumber(ARGV[7]))
    admitted = 1
  end
end
wake(freed)
local out = counts()
local info = redis.call('INFO', 'replication')
table.insert(out, 1, KEYS[5] and redis.call('GET', KEYS[5]) or '')
table.insert(out, 1, tonumber(string.match(info, 'connected_slaves:(%d+)') or '0'))
table.insert(out, 1, string.match(info, 'master_replid2:(%x+)') or '')
table.insert(out, 1, string.match(info, 'master_replid:(%x+)') or '')
table.insert(out, 1, admitted)
return out
