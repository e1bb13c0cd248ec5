-- 3-D Secure through its HTTP steps: create+confirm with pm_card_authenticationRequired
-- (requires_action), the customer completes the challenge by posting the hosted page's form
-- (303 to return_url), then the merchant retrieves the intent (succeeded).
local common = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
setup, done = common.setup, common.done
unexpected = 0
local challenges, retrieves = {}, {}

function request()
  local form = table.remove(challenges)
  if form then
    return wrk.format("POST", "/3d_secure_2/hosted", nil, form .. "&outcome=complete")
  end
  local id = table.remove(retrieves)
  if id then
    return wrk.format("GET", "/v1/payment_intents/" .. id, nil, nil)
  end
  return wrk.format("POST", "/v1/payment_intents", nil,
    "amount=2000&currency=eur&payment_method_types[]=card" ..
    "&payment_method=pm_card_authenticationRequired&confirm=true" ..
    "&return_url=https%3A%2F%2Fshop.example%2Fdone")
end

function response(status, headers, body)
  if status == 303 then
    local id = (headers["Location"] or headers["location"] or ""):match("payment_intent=(pi_[%w_]+)")
    if id then table.insert(retrieves, id) else unexpected = unexpected + 1 end
  elseif status ~= 200 then
    unexpected = unexpected + 1
  elseif body:find('"status":"requires_action"', 1, true) then
    -- The challenge page's form carries the query of next_action's URL.
    local query = body:match('"url":"[^"]*/3d_secure_2/hosted%?([^"]+)"')
    if query then table.insert(challenges, query) else unexpected = unexpected + 1 end
  elseif not body:find('"status":"succeeded"', 1, true) then
    unexpected = unexpected + 1
  end
end
