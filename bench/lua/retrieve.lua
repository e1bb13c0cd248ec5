-- GET /v1/payment_intents/:id of a random seeded intent.
local common = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
setup, done = common.setup, common.done
local ids

function init(args)
  ids = common.lines(os.getenv("BENCH_IDS"))
  math.randomseed(os.time() * 100 + tid)
end

function request()
  return wrk.format("GET", "/v1/payment_intents/" .. ids[math.random(#ids)], nil, nil)
end
