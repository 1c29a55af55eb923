-- POST batches of distinct returns: every request rewrites the __ID__ placeholder of each record with a fresh
-- prefix, so that each is a new, durable ingest (not an idempotent replay).
local template = io.open(os.getenv("BODY_FILE")):read("*a")
local key = os.getenv("KEY")
local counter = 0
-- A global, not a local: setup() runs in the main Lua state and thread:set writes this global in each thread's state.
thread_id = 0
local next_id = 0

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

function request()
  counter = counter + 1
  local prefix = "T" .. thread_id .. "-" .. counter
  local body = template:gsub("__ID__", prefix)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end
