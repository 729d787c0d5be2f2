-- wrk script for bench/load.py: POST one estimate body, optionally with an API key, record the id of
-- every acknowledged (200) stored estimate, and print a JSON summary line at the end.
--   LOAD_BODY  the JSON body to send        LOAD_KEY   an API key (stored estimates), optional
--   LOAD_ACKS  a folder for the acknowledged ids, one file per wrk thread, optional

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.body = os.getenv("LOAD_BODY")
  wrk.headers["Content-Type"] = "application/json"
  local key = os.getenv("LOAD_KEY")
  if key and key ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. key
  end
  local folder = os.getenv("LOAD_ACKS")
  if folder and folder ~= "" then
    acks = io.open(folder .. "/acks-" .. id .. ".txt", "w")
    acks:setvbuf("line")
  end
  ok, other, missing_id = 0, 0, 0
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
    if acks then
      local estimate = body:match('^{"id":"(%x+)"')
      if estimate then
        acks:write(estimate, "\n")
      else
        missing_id = missing_id + 1
      end
    end
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local total_ok, total_other, total_missing = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_other = total_other + thread:get("other")
    total_missing = total_missing + thread:get("missing_id")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "ok": %d, "not_ok": %d, "ok_without_id": %d, '
      .. '"socket_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, total_ok, total_other, total_missing,
    e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
