/**
 * esbuild bundles for the figures: Tern's own modules for Node (so a baseline in plain Node runs the code the
 * Worker runs, not a copy), and small baseline Workers that need a dependency (a bare Hono route).
 * esbuild is the one wrangler bundles the Worker with.
 */
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, tempDir } from "./harness.mjs";

const require = createRequire(path.join(ROOT, "package.json"));
const wranglerRequire = createRequire(require.resolve("wrangler/package.json"));
const { build } = await import(pathToFileURL(wranglerRequire.resolve("esbuild")).href);

// Modules only a Worker has. Whatever a figure imports never calls them (e.g. the SMTP provider's socket).
const workerOnly = {
  name: "worker-only-stubs",
  setup(b) {
    b.onResolve({ filter: /^cloudflare:/ }, (args) => ({ path: args.path, namespace: "worker-only" }));
    b.onLoad({ filter: /.*/, namespace: "worker-only" }, (args) => ({
      contents: `const no = () => { throw new Error(${JSON.stringify(`${args.path} is not available in the benchmark's Node process`)}); };
        export const connect = no; export class DurableObject {} export class WorkerEntrypoint {} export const env = {};`,
      loader: "js",
    }));
  },
};

/**
 * Bundles `contents` (TypeScript, imports relative to the repository root) into one ES module; returns its
 * text. Packages resolve as wrangler resolves them for the Worker (esbuild's browser platform, the workerd and
 * worker conditions, package.json "browser" maps), so Node runs the very builds of liquidjs (its
 * liquid.browser.mjs), mimetext, zod… that run in workerd; `node:*` imports (nodejs_compat) stay imports.
 */
export async function bundle(contents, { patches = [] } = {}) {
  const result = await build({
    stdin: { contents, resolveDir: ROOT, loader: "ts", sourcefile: "bench-entry.ts" },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    external: ["node:*"],
    write: false,
    logLevel: "silent",
    plugins: [workerOnly, ...patches.map(patchPlugin)],
  });
  const missed = patches.flatMap((p) => p.replace.filter((_, i) => !p.applied?.[i]).map(([from]) => `${p.file}: ${JSON.stringify(from.slice(0, 60))}…`));
  if (missed.length) throw new Error(`what-if no longer applies (the code changed), not found: ${missed.join("; ")}`);
  return result.outputFiles[0].text;
}

/**
 * A what-if: `{ file, replace: [[from, to], …] }` edits one repository file's source in the bundle only (the
 * file on disk is untouched), to measure a proposed change next to the code as it is. Every `from` must be
 * found, or bundle() throws: a what-if that no longer matches the code says so instead of measuring nothing.
 */
function patchPlugin(patch) {
  const target = path.join(ROOT, patch.file);
  return {
    name: `patch-${patch.file}`,
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path !== target) return undefined;
        let source = await readFile(args.path, "utf8");
        patch.applied = patch.replace.map(([from, to]) => {
          const next = source.replaceAll(from, to);
          const found = next !== source;
          source = next;
          return found;
        });
        return { contents: source, loader: "ts" };
      });
    },
  };
}

/** Bundles `contents` for Node and imports it (the file lives in the run's temp directory). */
export async function importBundle(name, contents, options) {
  const dir = await tempDir(`node-${name}`, "run");
  const file = path.join(dir, `${name}.mjs`);
  await writeFile(file, await bundle(contents, options));
  return import(pathToFileURL(file).href);
}

/**
 * Tern's send-time code for Node: compose() exactly as the send consumer calls it, the token functions, and
 * settings defaults. Bundled once per run.
 */
const TERN_ENTRY = `export { compose } from "./worker/delivery/send";
  export { messageLinks } from "./worker/delivery/links";
  export { signToken, tokenKey, verifyToken } from "./worker/core/tokens";
  export { resolveSettings } from "./worker/core/settings";
  export { baseLayout } from "./worker/core/template";`;
let tern = null;
export const ternModules = () => (tern ??= importBundle("tern", TERN_ENTRY));

/** The same modules with `patches` applied (see patchPlugin); rejects when a patch no longer applies. */
export const ternModulesPatched = (name, patches) => importBundle(name, TERN_ENTRY, { patches });

/** A Worker with one bare Hono route (`app.get(path, c => c.text("ok"))`), bundled like any Hono Worker. */
export const bareHonoWorker = (route) =>
  bundle(
    `import { Hono } from "hono";
     const app = new Hono();
     app.get(${JSON.stringify(route)}, (c) => c.text("ok"));
     export default app;`,
  );
