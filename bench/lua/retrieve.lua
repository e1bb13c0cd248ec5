-- GET /v1/payment_intents/:id of a random seeded intent.
local common = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
setup, done = common.setup, common.done
local random_id

function init(args)
  random_id = common.random_line(os.getenv("BENCH_IDS"))
  math.randomseed(os.time() * 100 + tid)
end

function request()
  return wrk.format("GET", "/v1/payment_intents/" .. random_id(), nil, nil)
end
