-- GET /v1/payment_intents/search by the metadata of a random seeded intent.
local common = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
setup, done = common.setup, common.done
local count

function init(args)
  count = tonumber(os.getenv("BENCH_SEEDED"))
  math.randomseed(os.time() * 100 + tid)
end

function request()
  -- metadata['order_id']:'order_N'
  local query = "metadata%5B%27order_id%27%5D%3A%27order_" .. math.random(0, count - 1) .. "%27"
  return wrk.format("GET", "/v1/payment_intents/search?query=" .. query, nil, nil)
end
