-- create_confirm as the official SDKs send it: every POST carries a fresh Idempotency-Key.
local common = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
setup, done = common.setup, common.done
unexpected = 0
local n = 0

function request()
  n = n + 1
  -- wrk.format uses the headers it is given instead of wrk.headers, not as well.
  local headers = {["Idempotency-Key"] = string.format("bench-%d-%d-%d", tid, os.time(), n)}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  return wrk.format("POST", "/v1/payment_intents", headers,
    "amount=2000&currency=usd&payment_method_types[]=card" ..
    "&payment_method=pm_card_visa&confirm=true&metadata[order_id]=new")
end

function response(status, headers, body)
  if status ~= 200 or not body:find('"status":"succeeded"', 1, true) then
    unexpected = unexpected + 1
  end
end
