-- wrk script of the benchmarks (bench/wrk.ts): cycles through the request paths listed in
-- the file given after `--` (one per line), asks for gzip as a browser does,
-- and prints one machine-readable line with the figures the benchmark reports.
local paths = {}

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
end

local next_path = 0

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path], { ["Accept-Encoding"] = "gzip" })
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d p50=%.3f p95=%.3f p99=%.3f seconds=%.3f non2xx=%d socketErrors=%d\n",
    summary.requests,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    summary.duration / 1e6,
    errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
