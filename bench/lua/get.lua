-- bench/lua/get.lua - GET with an optional bearer token from $BENCH_TOKEN.
-- No response() callback, so wrk does not call into Lua per response (keeps
-- the load generator cheap; it shares the 2 cores with the server).
-- Prints: RESULT rps= p50_ms= p99_ms= requests= non2xx= sockerr=
wrk.method = "GET"
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d non2xx=%d sockerr=%d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
