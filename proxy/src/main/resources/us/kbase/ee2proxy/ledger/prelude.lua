-- Shared head of every ledger script (the Java side prepends it to each script body).
-- KEYS[1] leases  ZSET  lease id -> expiry (ms, Redis server time); ids t:<ticket>:<i> | j:<jobId>
-- KEYS[2] parents ZSET  the subset of leases whose claim is a parent, same scores
-- KEYS[3] claims  HASH  lease id -> claim "<parent 0|1>:<depth>:<app>"; and the field OWN_CALL ->
--                 until when (ms) the user's reserve is kept (their last own job-creating call + reserveFor)
-- KEYS[4] gone    ZSET  released job id -> tombstone expiry
-- KEYS[5..]       optional, one server or Sentinel only (a Cluster keeps them in other slots): the
--                 generation key (acquire) or jobs' owner keys (bind, release, finish), so that one
--                 script does what would otherwise take a second round trip
-- ARGV[1] the user's name (published on release), ARGV[2] the release channel
local leases, parents, claims, gone = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local user, channel = ARGV[1], ARGV[2]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
-- Scripts run one at a time, so server time in microseconds orders every reply that carries counts.
local now_us = tonumber(clock[1]) * 1000000 + tonumber(clock[2])

local function is_parent(claim)
  return string.sub(claim, 1, 1) == '1'
end

local function hdel_all(ids)
  for i = 1, #ids, 500 do
    redis.call('HDEL', claims, unpack(ids, i, math.min(i + 499, #ids)))
  end
end

-- Lazy expiry: drop leases and tombstones whose time has passed; returns how many leases went.
local function sweep()
  local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', now)
  if #expired > 0 then
    redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
    redis.call('ZREMRANGEBYSCORE', parents, '-inf', now)
    hdel_all(expired)
  end
  redis.call('ZREMRANGEBYSCORE', gone, '-inf', now)
  return #expired
end

local function put(id, claim, expires_at)
  redis.call('ZADD', leases, expires_at, id)
  redis.call('HSET', claims, id, claim)
  if is_parent(claim) then
    redis.call('ZADD', parents, expires_at, id)
  end
end

local function drop(id)
  local removed = redis.call('ZREM', leases, id)
  redis.call('ZREM', parents, id)
  redis.call('HDEL', claims, id)
  return removed
end

-- Keys outlive their longest member, so a user who never returns leaves nothing behind
-- (PEXPIRE of a key that does not exist does nothing).
local function keep(ttl_ms)
  for i = 1, 4 do
    redis.call('PEXPIRE', KEYS[i], ttl_ms)
  end
end

local function wake(freed)
  if freed > 0 then
    redis.call('PUBLISH', channel, user)
  end
end

-- Frees a job's lease and remembers the job as gone, so a late bind, replay or adopt of it takes
-- nothing; returns how many leases were freed (0 or 1).
local function release_job(job, tombstone_ms, key_ttl_ms)
  local freed = drop('j:' .. job)
  redis.call('ZADD', gone, now + tombstone_ms, job)
  keep(key_ttl_ms)
  return freed
end

-- What owner_release.lua and finish.lua leave in a job's owner key for a job released before it
-- was owned: a bind arriving after the finish then frees it.
local GONE = '\0gone'

-- A field of the claims hash that no lease id can be (lease ids begin t: or j:): it lives in the
-- user's hash slot and goes with the user's keys.
local OWN_CALL = 'own'

-- How much longer (ms) the user's own last call keeps the reserve (children.reserveFor); 0: lent.
local function reserve_kept()
  local until_ms = tonumber(redis.call('HGET', claims, OWN_CALL) or '0')
  return until_ms > now and until_ms - now or 0
end

-- {server time us, jobs, parents, reserve kept ms, app1, n1, app2, n2, ...}
local function counts()
  local out = {now_us, redis.call('ZCARD', leases), 0, reserve_kept()}
  local ids = redis.call('ZRANGE', parents, 0, -1)
  out[3] = #ids
  local by_app, order = {}, {}
  for i = 1, #ids, 500 do
    local cs = redis.call('HMGET', claims, unpack(ids, i, math.min(i + 499, #ids)))
    for _, c in ipairs(cs) do
      if c then
        local app = string.match(c, '^%d:%d+:(.*)$')
        if by_app[app] == nil then
          by_app[app] = 0
          order[#order + 1] = app
        end
        by_app[app] = by_app[app] + 1
      end
    end
  end
  for _, app in ipairs(order) do
    out[#out + 1] = app
    out[#out + 1] = by_app[app]
  end
  return out
end
