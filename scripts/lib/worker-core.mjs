/**
 * The Worker's pure modules the seed reuses, so the demo's history is made by the same rules as real sends: the
 * prebuilt flow catalog and its definitions, the flow interpreter, and the campaign A/B buckets and winner choice.
 * They are TypeScript; esbuild (which wrangler brings) bundles them into one ES module in memory (about a second,
 * zod included), which the seed does while wrangler starts.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { ROOT } from "./wrangler.mjs";

const ENTRY = `
export { prebuiltFlow, instantiate } from "./worker/core/prebuilt-flows.ts";
export { parseFlow, flowEventNames } from "./worker/core/flow.ts";
export { startRun, step, triggers } from "./worker/core/flow-step.ts";
export { abSeed, bucketWidth, testVariant, pickWinner, zoneOffset } from "./worker/campaigns/plan.ts";
`;

let loaded = null;

/** Loads (once) and returns the bundled modules. */
export async function loadWorkerCore() {
  if (loaded) return loaded;
  // Resolved from wrangler's own folder: wrangler depends on esbuild, hoisted or not.
  const esbuild = createRequire(path.join(ROOT, "node_modules", "wrangler", "package.json"))("esbuild");
  const out = await esbuild.build({
    stdin: { contents: ENTRY, resolveDir: ROOT, loader: "ts", sourcefile: "seed-core.ts" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    logLevel: "silent",
  });
  const code = out.outputFiles[0].text;
  loaded = await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
  return loaded;
}
