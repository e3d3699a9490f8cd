-- wrk script of tunnelBench.ts: GETs one path through the Kubernetes plugin's
-- /proxy for the cluster named after `--`, and prints one machine-readable
-- line with the figures the benchmark reports.
local path, cluster, authorization

function init(args)
  path = args[1]
  cluster = args[2]
  authorization = args[3]
end

function request()
  return wrk.format("GET", path, {
    ["Backstage-Kubernetes-Cluster"] = cluster,
    ["Authorization"] = authorization,
  })
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d p50=%.3f p95=%.3f seconds=%.3f non2xx=%d socketErrors=%d\n",
    summary.requests,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    summary.duration / 1e6,
    errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
