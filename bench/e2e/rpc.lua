-- wrk script for bench/run-e2e: POSTs EE2 JSON-RPC calls with an Authorization header and, when
-- done, prints one machine-readable line (wrk --latency stops at p99; p99.9 comes from here).
--
--   wrk ... -s bench/e2e/rpc.lua URL -- check_job_canceled TOKEN JOB_ID
--   wrk ... -s bench/e2e/rpc.lua URL -- run_job USERS           (tokens bt-0 .. bt-(USERS-1), round-robin)
--   wrk ... -s bench/e2e/rpc.lua URL -- parent TOKEN            (a parallel app: held when the cap is full)

local threads = {}
local counter = 1

function setup(thread)
  thread:set("first", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local kind, arg1, arg2
local users, next_user, step = 1, 0, 1
local fixed

local function call(method, params)
  return '{"method":"execution_engine2.' .. method .. '","params":[' .. params .. '],"version":"1.1","id":"7364829105"}'
end

local function run_job_body(module)
  return call("run_job", '{"method":"' .. module .. '.run","app_id":"' .. module .. '/run","params":[{"input_ref":"42/7/1"}],"wsid":42}')
end

function init(args)
  kind, arg1, arg2 = args[1], args[2], args[3]
  local headers = {["Content-Type"] = "application/json"}
  if kind == "check_job_canceled" then
    headers["Authorization"] = arg1
    fixed = wrk.format("POST", "/", headers, call("check_job_canceled", '{"job_id":"' .. arg2 .. '"}'))
  elseif kind == "parent" then
    headers["Authorization"] = arg1
    fixed = wrk.format("POST", "/", headers, run_job_body("kb_Bowtie2"))
  elseif kind == "run_job" then
    users = tonumber(arg1)
    -- threads start at different users and stride by a prime, so they do not move in step
    next_user = ((first or 1) * 7919) % users
    step = 1
  else
    error("unknown kind " .. tostring(kind))
  end
end

local run_job_plain = run_job_body("bench_Plain")

function request()
  if fixed then
    return fixed
  end
  next_user = (next_user + step) % users
  return wrk.format("POST", "/", {["Content-Type"] = "application/json", ["Authorization"] = "bt-" .. next_user},
      run_job_plain)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d"
      .. " connect_errors=%d read_errors=%d write_errors=%d timeouts=%d non2xx=%d\n",
      summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max,
      e.connect, e.read, e.write, e.timeout, e.status))
end
