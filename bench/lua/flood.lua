-- bench/lua/flood.lua - a wrong-password flood: POST /v1/session round-robin
-- over the victims "<prefix>0" .. "<prefix>N-1" of account $BENCH_FLOOD_ACCOUNT
-- (N = $BENCH_FLOOD_N, prefix $BENCH_FLOOD_PREFIX), always with a wrong password.
-- Victims lock after lockout_threshold failures; a locked victim's attempt still
-- costs one argon2id run and answers 401 (same answer after the same work), so
-- the flood keeps the worker pool busy for its whole length.
-- Counts status codes per thread in response() and prints them in done().
-- Prints: RESULT secs= requests= s201= s401= s429= s503= s4xx= sother= sockerr= p50_ms= p99_ms=
local account = os.getenv("BENCH_FLOOD_ACCOUNT") or "none"
local n = tonumber(os.getenv("BENCH_FLOOD_N") or "50")
local prefix = os.getenv("BENCH_FLOOD_PREFIX") or "victim-"

local threads = {}
function setup(thread)
  thread:set("id", #threads) -- a global in the thread's own Lua state
  table.insert(threads, thread)
end

local reqs = {}
local i = 0
function init(args)
  local headers = { ["Content-Type"] = "application/json" }
  for k = 0, n - 1 do
    local body = string.format(
      '{"account":"%s","identifier":"%s%d","password":"wrong password, guess number %d"}',
      account, prefix, k, k)
    reqs[k + 1] = wrk.format("POST", "/v1/session", headers, body)
  end
  i = (id or 0) * 7 -- threads start at different victims
end

function request()
  i = i + 1
  return reqs[(i % n) + 1]
end

s201, s401, s429, s503, s4xx, sother = 0, 0, 0, 0, 0, 0
function response(status, headers, body)
  if status == 401 then s401 = s401 + 1
  elseif status == 503 then s503 = s503 + 1
  elseif status == 429 then s429 = s429 + 1
  elseif status == 201 then s201 = s201 + 1
  elseif status >= 400 and status < 500 then s4xx = s4xx + 1
  else sother = sother + 1 end
end

function done(summary, latency, requests)
  local t = { s201 = 0, s401 = 0, s429 = 0, s503 = 0, s4xx = 0, sother = 0 }
  for _, th in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (th:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT secs=%.3f requests=%d s201=%d s401=%d s429=%d s503=%d s4xx=%d sother=%d sockerr=%d p50_ms=%.2f p99_ms=%.2f\n",
    summary.duration / 1e6, summary.requests, t.s201, t.s401, t.s429, t.s503, t.s4xx, t.sother,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
