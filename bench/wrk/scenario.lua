-- One scenario of bench/web.py under wrk. Arguments after "--":
--   1: method (GET or POST)
--   2: a cookie header value, or "-" for none
--   3: for POST, a file with the url-encoded form body; every "{phone}" in it becomes a
--      fresh well-formed synthetic mobile number, every "{n}" a request counter, so the
--      per-phone hourly limit and duplicate detection see distinct letters.
-- done() prints one line "BENCH_JSON {...}" that bench/web.py parses.

local method, cookie, template = "GET", nil, nil
local counter = 0

function init(args)
  method = args[1] or "GET"
  if args[2] and args[2] ~= "-" then
    cookie = args[2]
  end
  if args[3] then
    local f = assert(io.open(args[3], "r"))
    template = f:read("*a")
    f:close()
  end
  -- Seeded per thread, so two threads do not send the same numbers.
  math.randomseed(os.time() + (id or 0) * 7919)
end

function setup(thread)
  thread:set("id", tostring(math.random(1, 1000000)))
end

function request()
  local headers = {}
  if cookie then
    headers["Cookie"] = cookie
  end
  if method == "POST" then
    counter = counter + 1
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Referer"] = "http://" .. wrk.host .. ":" .. wrk.port .. wrk.path
    local phone = string.format("1%d%09d", math.random(3, 9), math.random(0, 999999999))
    local body = template:gsub("{phone}", phone):gsub("{n}", tostring(counter))
    return wrk.format("POST", nil, headers, body)
  end
  return wrk.format("GET", nil, headers, nil)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, latency.max
  ))
end
