-- bench/lua/signin.lua - POST /v1/session with the JSON body in $BENCH_BODY.
-- Counts status codes per thread in response() and prints them in done(),
-- so the caller can count only 201s as successful sign-ins.
-- Prints: RESULT secs= requests= s201= s503= s4xx= sother= sockerr= p50_ms= p99_ms=
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY") or "{}"
wrk.headers["Content-Type"] = "application/json"

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

s201, s503, s4xx, sother = 0, 0, 0, 0
function response(status, headers, body)
  if status == 201 then s201 = s201 + 1
  elseif status == 503 then s503 = s503 + 1
  elseif status >= 400 and status < 500 then s4xx = s4xx + 1
  else sother = sother + 1 end
end

function done(summary, latency, requests)
  local t = { s201 = 0, s503 = 0, s4xx = 0, sother = 0 }
  for _, th in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (th:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT secs=%.3f requests=%d s201=%d s503=%d s4xx=%d sother=%d sockerr=%d p50_ms=%.2f p99_ms=%.2f\n",
    summary.duration / 1e6, summary.requests, t.s201, t.s503, t.s4xx, t.sother,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
