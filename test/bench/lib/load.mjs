/** Throughput with N concurrent clients, latency percentiles, and alternating rounds to even out drift. */
import { performance } from "node:perf_hooks";

/**
 * Runs `jobs` through `send` with `concurrency` clients, each taking the next job as soon as its previous one
 * finished (closed loop, like a storefront's batching uploader). `send(job)` resolves when the response has
 * been read and checked; it should throw on a bad response, which stops the run.
 */
export async function drive({ jobs, concurrency, send }) {
  let next = 0;
  const latencies = [];
  const client = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const t0 = performance.now();
      await send(job);
      latencies.push(performance.now() - t0);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, client));
  return { count: jobs.length, ms: performance.now() - start, latencies };
}

/**
 * Alternates the sides in short rounds (A B, B A, A B, …) so that neither always runs first, on a warmer or
 * fuller database, or while something else on the machine is busy: each round of one side has a neighbour
 * of the other measured under nearly the same conditions. `sides` maps a name to `{ jobs, send }`, with one
 * job list per round. `cpuMs()`, when given, reads a process's CPU time (see cpu.mjs) around every round.
 */
export async function alternate({ sides, rounds, concurrency, cpuMs }) {
  const names = Object.keys(sides);
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...names].reverse() : names;
    for (const name of order) {
      const cpu0 = cpuMs?.() ?? null;
      const run = await drive({ jobs: sides[name].jobs[r], concurrency, send: sides[name].send });
      const cpu1 = cpuMs?.() ?? null;
      runs[name].push({ ...run, cpuMs: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null });
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarize(runs[n])]));
}

/**
 * Totals over rounds: ops/s over the summed time, latency percentiles over every op, per-round rates, and
 * the measured process's CPU milliseconds per op (null when unknown).
 */
export function summarize(runs) {
  const count = runs.reduce((s, r) => s + r.count, 0);
  const ms = runs.reduce((s, r) => s + r.ms, 0);
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const cpu = runs.every((r) => r.cpuMs != null) ? runs.reduce((s, r) => s + r.cpuMs, 0) : null;
  return {
    count,
    ms,
    perSecond: (count * 1000) / ms,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    rounds: runs.map((r) => (r.count * 1000) / r.ms),
    cpuMsPerOp: cpu === null ? null : cpu / count,
  };
}

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** POSTs JSON and throws unless the status is `expect`; returns the parsed body. */
export async function postJson(url, body, headers = {}, expect = 200) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const text = await res.text();
  if (res.status !== expect) throw new Error(`POST ${url}: ${res.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}
