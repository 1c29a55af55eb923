-- POST claims of one item each, rotating over lanes and warehouses.
local key = os.getenv("KEY")
local lanes = {"standard", "fast_restock", "outlet_liquidation", "risk_review", "electronics_test", "refurbish_bench"}
local warehouses = {"WH1", "WH2", "WH3", "WH4", "WH5"}
local n = 0
function request()
  n = n + 1
  local lane = lanes[(n % #lanes) + 1]
  local wh = warehouses[(math.floor(n / #lanes) % #warehouses) + 1]
  local body = '{"warehouse_id":"' .. wh .. '","station_id":"bench","count":1,"lease_seconds":3600}'
  return wrk.format("POST", "/v1/lanes/" .. lane .. "/claims",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end
