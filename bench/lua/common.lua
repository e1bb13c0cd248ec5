-- Shared by every scenario: the API key, counting unexpected answers, and one JSON
-- line of results that bench/run.py reads (latencies in microseconds).
local M = {}

wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_KEY") or "sk_test_bench")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

local threads = {}

function M.setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

-- Lines of a file (the ids of seeded intents).
function M.lines(path)
  local out = {}
  for line in io.lines(path) do
    if line ~= "" then table.insert(out, line) end
  end
  return out
end

function M.intent_id(body)
  return body:match('"id":"(pi_[%w_]+)"')
end

function M.done(summary, latency, requests)
  local unexpected = 0
  for _, t in ipairs(threads) do
    unexpected = unexpected + (t:get("unexpected") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50":%d,"p99":%d,"p999":%d,' ..
    '"non_2xx_3xx":%d,"unexpected":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), e.status, unexpected, e.connect + e.read + e.write + e.timeout))
end

return M
