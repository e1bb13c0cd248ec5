-- The manual capture flow: create+confirm with capture_method=manual, then capture.
-- Each answer says which step comes next, so any connection can send any step.
local common = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
setup, done = common.setup, common.done
unexpected = 0
local queue = {}

function request()
  local id = table.remove(queue)
  if id then
    return wrk.format("POST", "/v1/payment_intents/" .. id .. "/capture", nil, "")
  end
  return wrk.format("POST", "/v1/payment_intents", nil,
    "amount=2000&currency=usd&payment_method_types[]=card&payment_method=pm_card_visa" ..
    "&confirm=true&capture_method=manual")
end

function response(status, headers, body)
  if status ~= 200 then
    unexpected = unexpected + 1
  elseif body:find('"status":"requires_capture"', 1, true) then
    table.insert(queue, common.intent_id(body))
  elseif not body:find('"status":"succeeded"', 1, true) then
    unexpected = unexpected + 1
  end
end
