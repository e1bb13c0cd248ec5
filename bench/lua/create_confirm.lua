-- POST /v1/payment_intents with confirm=true and pm_card_visa: one request, succeeded.
local common = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
setup, done = common.setup, common.done
wrk.method = "POST"
wrk.path = "/v1/payment_intents"
wrk.body = "amount=2000&currency=usd&payment_method_types[]=card" ..
  "&payment_method=pm_card_visa&confirm=true&metadata[order_id]=new"
