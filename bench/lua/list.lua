-- GET /v1/payment_intents?limit=10: the newest page of the account.
local common = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
setup, done = common.setup, common.done
wrk.method = "GET"
wrk.path = "/v1/payment_intents?limit=10"
