/**
 * `npm run bench [-- figure…]`: runs each figure and prints it as a ratio against a baseline measured in the
 * same run, with the absolute numbers. Exits 1 when a figure misses its target or fails its checks.
 *
 * A figure is a module next to this one whose default export is
 *   { name, title, target, better?, run({ log }) → { unit, candidate | candidates, extra?, baseline, checks, notes? } }
 * where each side is a `summarize()` result from lib/load.mjs plus `label` and `perOp` (units per operation,
 * e.g. 100 events per batch). `better: "lower"` makes the figure a time ratio judged ≤ target (default: a rate
 * ratio judged ≥ target); see lib/report.mjs. lib/harness.mjs starts Tern on local workerd with a fresh D1
 * and cleans up after every figure; lib/bundle.mjs bundles Tern's modules for Node. Add the module to
 * `figures` below.
 *
 * Figures: ingest (POST /v1/batch vs raw INSERT), tracking (pixel and click vs a bare Hono route), render
 * (compose() vs liquidjs + nodemailer in Node).
 *
 * Knobs for a quick look (defaults are what the targets are judged by): BENCH_BATCHES (ingest batches per
 * side, 240), BENCH_CONCURRENCY (clients: 4 for ingest, 8 for tracking), BENCH_REQUESTS (tracking requests
 * per side, 3000), BENCH_MESSAGES (render messages per side, 720), BENCH_LOG=debug (Miniflare and workerd output).
 */
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { cleanup } from "./lib/harness.mjs";
import { describe } from "./lib/report.mjs";
import campaign from "./campaign.mjs";
import flows from "./flows.mjs";
import ingest from "./ingest.mjs";
import render from "./render.mjs";
import segments from "./segments.mjs";
import tracking from "./tracking.mjs";

const figures = [ingest, tracking, render, segments, campaign, flows];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !figures.some((f) => f.name === w));
if (unknown.length) {
  console.error(`unknown figure(s): ${unknown.join(", ")}; known: ${figures.map((f) => f.name).join(", ")}`);
  process.exit(2);
}

const started = performance.now();
console.log(`${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} (1/5/15 min): other sessions share this machine, so wall-clock figures vary from run to run`);
const summary = [];
let failed = false;
try {
  for (const figure of figures.filter((f) => !wanted.length || wanted.includes(f.name))) {
    const t0 = performance.now();
    const log = (msg) => console.log(`[${figure.name} ${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
    try {
      const result = await figure.run({ log });
      const { lines, pass, summary: line } = describe(figure, result);
      console.log(`\n${lines.join("\n")}\n`);
      summary.push(`${pass ? "PASS" : "FAIL"}  ${figure.name.padEnd(16)} ${line}`);
      failed ||= !pass;
    } catch (err) {
      console.error(`\n${figure.name}: ERROR ${err?.stack ?? err}${err?.cause ? `\ncaused by: ${err.cause?.stack ?? err.cause}` : ""}\n`);
      summary.push(`ERROR ${figure.name.padEnd(16)} ${String(err?.message ?? err).split("\n")[0]}`);
      failed = true;
    } finally {
      await cleanup("figure"); // each figure starts its own workerd and databases
    }
  }
} finally {
  await cleanup("run");
}
console.log(`${summary.join("\n")}\n(bench took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
process.exit(failed ? 1 : 0);
