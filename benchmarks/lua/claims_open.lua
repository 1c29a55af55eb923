-- POST claims of one item each, rotating over the lanes and warehouses that hold items (PAIRS: "lane:warehouse,...",
-- read from GET /v1/lanes before the run), so that every claim can lease an item.
local key = os.getenv("KEY")
local pairs_list = {}
for lane, wh in string.gmatch(os.getenv("PAIRS"), "([^:,]+):([^,]+)") do
  table.insert(pairs_list, {lane, wh})
end
local n = 0
function request()
  n = n + 1
  local pair = pairs_list[(n % #pairs_list) + 1]
  local body = '{"warehouse_id":"' .. pair[2] .. '","station_id":"bench","count":1,"lease_seconds":3600}'
  return wrk.format("POST", "/v1/lanes/" .. pair[1] .. "/claims",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end
