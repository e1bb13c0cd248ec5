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

-- A random line of a file of lines of one length (the ids of seeded intents), kept as one
-- string: a table of a million strings made LuaJIT's collector stall wrk's threads for tens
-- of milliseconds, which wrk counted as the server's latency (p99 ~35 ms at 10^6 stored).
function M.random_line(path)
  local f = assert(io.open(path))
  local all = f:read("*a")
  f:close()
  local width = assert(all:find("\n"), "no lines in " .. path)
  assert(#all % width == 0, "lines of different lengths in " .. path)
  local count = #all / width
  return function()
    local start = (math.random(count) - 1) * width
    return all:sub(start + 1, start + width - 1)
  end
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
