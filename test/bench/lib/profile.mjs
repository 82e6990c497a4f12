/**
 * CPU profiles of a Worker running in the harness's workerd, through Miniflare's inspector proxy and the
 * DevTools protocol: start Tern with `profiling()`'s options, then `const p = await startProfile(tern)` …
 * `const summary = await p.stop()`. The summary attributes sampled time to functions and to what they belong to
 * (Tern's modules by name, its libraries, the runtime), from the bundle's source map when wrangler wrote one.
 *
 * Only Tern's isolate is profiled: D1 (SQLite in Miniflare's D1 object) and the queue broker run in other
 * isolates of the same process; their share is workerd's CPU time minus the samples here.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { ROOT } from "./harness.mjs";

const require = createRequire(path.join(ROOT, "package.json"));
const wranglerRequire = createRequire(require.resolve("wrangler/package.json"));
const WebSocket = wranglerRequire(wranglerRequire.resolve("ws", { paths: [path.dirname(wranglerRequire.resolve("miniflare"))] }));

/** startTern() options that make Tern's isolate profilable on `port`. */
export const profiling = (port) => ({ miniflareOptions: { inspectorPort: port }, ternOptions: { unsafeInspectorProxy: true } });

/** Starts the V8 CPU profiler in Tern's isolate; `stop()` resolves with a summary of where the time went. */
export async function startProfile(base, { intervalUs = 500 } = {}) {
  const targets = await (await fetch(`${base}/json`)).json();
  const target = targets.find((t) => /tern/.test(t.title ?? t.id ?? "")) ?? targets[0];
  if (!target) throw new Error("no inspector target for Tern");
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let id = 0;
  const pending = new Map();
  ws.on("message", (data) => {
    const msg = JSON.parse(data.toString());
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(msg.error.message));
      else resolve(msg.result);
    }
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      pending.set(++id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: intervalUs });
  await send("Profiler.start");
  return {
    async stop() {
      const { profile } = await send("Profiler.stop");
      ws.close();
      return summarize(profile);
    },
  };
}

/** What a function belongs to, by its name and script (the bundle keeps library code recognisable). */
function owner(node) {
  const { functionName: fn, url } = node.callFrame;
  if (["(idle)", "(program)", "(garbage collector)", "(root)"].includes(fn)) return fn;
  if (!url) return "(native)";
  return null;
}

/**
 * Self time per function (top list) and per group, in ms, from the sampled profile. Groups come from the
 * innermost frame with a recognisable name pattern: liquid*, zod, drizzle, mime, tern modules by function name.
 */
export function summarize(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map(); // node id -> ms
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (deltas[i + 1] ?? 0) / 1000;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const byFunction = new Map();
  let total = 0;
  let idle = 0;
  for (const [nodeId, ms] of self) {
    const n = nodes.get(nodeId);
    const special = owner(n);
    if (special === "(idle)") {
      idle += ms;
      continue;
    }
    total += ms;
    const { functionName, lineNumber, columnNumber } = n.callFrame;
    const key = special ?? `${functionName || "(anonymous)"} :${lineNumber + 1}:${columnNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  }
  // Inclusive time of each named function on the stack (counted once per sample), for "where it went" by caller.
  const inclusive = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (deltas[i + 1] ?? 0) / 1000;
    let nodeId = profile.samples[i];
    if (owner(nodes.get(nodeId)) === "(idle)") continue;
    const seen = new Set();
    while (nodeId !== undefined) {
      const name = nodes.get(nodeId).callFrame.functionName;
      if (name && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
      }
      nodeId = parent.get(nodeId);
    }
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs: total, idleMs: idle, self: sorted(byFunction), inclusive: sorted(inclusive) };
}
