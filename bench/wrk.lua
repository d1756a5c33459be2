-- wrk.lua -- one request shape from the environment, one result line out.
--
--   BENCH_METHOD  GET (default) or POST
--   BENCH_BODY    the body (POST), sent as a urlencoded form
--   BENCH_AUTH    an Authorization header value
--   BENCH_AUTH_FILE  instead, a file of them, one a line, sent in turn
--                 (distinct tokens: what a verified-token cache can't help)
--   BENCH_COUNT   1: count every status (the response callback costs a
--                 little throughput, so the benchmark leaves it off)
--
-- done() prints one line:
--   wrk-result requests=N seconds=S rps=R p50_ms=A p99_ms=B non2xx=N
--     connect=N read=N write=N timeout=N [statuses=200:N,503:N]

local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local auth = os.getenv("BENCH_AUTH")
local count = os.getenv("BENCH_COUNT") == "1"
local auth_file = os.getenv("BENCH_AUTH_FILE")
local auths = nil
local next_auth = 0
local threads = {}

wrk.method = method
if auth and auth ~= "" then
   wrk.headers["Authorization"] = auth
end
if body and body ~= "" then
   wrk.body = body
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   statuses = {}
end

if auth_file and auth_file ~= "" then
   auths = {}
   for line in io.lines(auth_file) do
      table.insert(auths, line)
   end
   local reqs = {}
   function init(args)
      statuses = {}
      -- Each request written out once, here: formatting one per request
      -- cost wrk, on the same CPUs as the server, more than a cached
      -- token check costs the server, and only in these rows.
      for i, a in ipairs(auths) do
         reqs[i] = wrk.format(nil, nil, { ["Authorization"] = a })
      end
      -- Threads start apart, so they do not send the same token at once.
      next_auth = math.random(#reqs)
   end
   function request()
      next_auth = next_auth % #reqs + 1
      return reqs[next_auth]
   end
end

if count then
   function response(status, headers, body)
      statuses[status] = (statuses[status] or 0) + 1
   end
end

function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local e = summary.errors
   local line = string.format(
      "wrk-result requests=%d seconds=%.2f rps=%.1f p50_ms=%.3f " ..
      "p99_ms=%.3f non2xx=%d connect=%d read=%d write=%d timeout=%d",
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      e.status, e.connect, e.read, e.write, e.timeout)
   if count then
      local all = {}
      for _, t in ipairs(threads) do
         local s = t:get("statuses")
         for code, n in pairs(s) do
            all[code] = (all[code] or 0) + n
         end
      end
      local parts = {}
      for code, n in pairs(all) do
         table.insert(parts, code .. ":" .. n)
      end
      table.sort(parts)
      line = line .. " statuses=" .. table.concat(parts, ",")
   end
   io.write(line .. "\n")
end
