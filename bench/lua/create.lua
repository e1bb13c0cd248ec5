-- POST /v1/payment_intents: an unconfirmed intent.
local common = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
setup, done = common.setup, common.done
wrk.method = "POST"
wrk.path = "/v1/payment_intents"
wrk.body = "amount=2000&currency=usd&payment_method_types[]=card&metadata[order_id]=new"
