// Node/V8 flags the proxy process runs with (scripts/start.mjs re-runs itself with them; the benchmark
// starts its proxy the same way). A 1 MB young generation keeps RSS low under 100 concurrent 80 KB
// requests (V8 otherwise keeps the semi-space it grew while parsing bodies) at no measured cost in
// latency or throughput: see docs/benchmarks.md.
export const PROXY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];
