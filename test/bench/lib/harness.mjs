/**
 * Starts Tern's real Worker on local workerd with a fresh, migrated D1 in a temporary directory, and cleans up
 * every directory and child process it made, also on Ctrl-C or a crash.
 *
 * Why Miniflare directly, and not `wrangler dev` or `unstable_startWorker`: both of those put wrangler's
 * proxy (another workerd process and HTTP hop; DESIGN.md notes it dominates a bare route's cost) in front of
 * the Worker. A figure compares Tern against a baseline Worker, and the baseline would not pay for that
 * proxy, or would need a second wrangler instance with its own. Here the
 * bundle is exactly what `wrangler deploy` uploads (`wrangler deploy --dry-run --outdir`), the bindings are
 * exactly what wrangler derives from wrangler.toml (`unstable_getMiniflareWorkerOptions`, the same call
 * vitest-pool-workers makes), the D1 is migrated by `wrangler d1 migrations apply --local`, and baseline
 * Workers run in the same workerd process, bound to the same D1, behind the same HTTP socket and entry
 * router. Both sides of a ratio then pay the same way into workerd.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { childPids } from "./cpu.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const require = createRequire(import.meta.url);
const wranglerDir = path.dirname(require.resolve("wrangler/package.json", { paths: [ROOT] }));
const WRANGLER_BIN = path.join(wranglerDir, "bin", "wrangler.js");
// Miniflare as wrangler itself resolves it: same version, so the D1 files wrangler migrates are ours to open.
const MINIFLARE = createRequire(path.join(wranglerDir, "package.json")).resolve("miniflare");

const childEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1", FORCE_COLOR: "0" };

/**
 * Two lifetimes: "run" (the temp root and the bundle, kept across figures) and "figure" (workerd processes
 * and databases, undone after each figure). `cleanup(scope)` undoes them newest first.
 */
const cleanups = [];
let cleaning = Promise.resolve();

export function onCleanup(fn, scope = "figure") {
  cleanups.push({ fn, scope });
}

export function cleanup(scope = "run") {
  cleaning = cleaning.then(async () => {
    for (let i = cleanups.length - 1; i >= 0; i--) {
      if (scope === "figure" && cleanups[i].scope !== "figure") continue;
      const [{ fn }] = cleanups.splice(i, 1);
      try {
        await fn();
      } catch (err) {
        console.error("cleanup failed:", err?.message ?? err);
      }
    }
  });
  return cleaning;
}

// Whoever ends the process (a signal; wrangler's own SIGINT handler, loaded with its API, calls
// process.exit() at once), the exit hook still kills our children by pid and removes the temp root,
// synchronously, since nothing async runs after exit.
const livePids = new Set(); // negative: a process group
let tempRoot = null;
process.on("exit", () => {
  for (const pid of livePids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping and cleaning up`);
    process.exit(130);
  });
}

/** A fresh directory under the run's temp root; `scope` says when it is removed. */
export async function tempDir(name, scope = "figure") {
  if (!tempRoot) {
    tempRoot = await mkdtemp(path.join(tmpdir(), "tern-bench-"));
    const root = tempRoot;
    onCleanup(async () => {
      await rm(root, { recursive: true, force: true });
      tempRoot = null;
    }, "run");
  }
  const dir = await mkdtemp(path.join(tempRoot, `${name}-`));
  if (scope === "figure") onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs wrangler with metrics off; resolves with its output, rejects with it on a non-zero exit. */
export function wrangler(args, { cwd = ROOT } = {}) {
  return new Promise((resolve, reject) => {
    // Its own process group: wrangler starts node and workerd children, and a cleanup must end them all.
    const child = spawn(process.execPath, [WRANGLER_BIN, ...args], { cwd, env: childEnv, stdio: ["ignore", "pipe", "pipe"], detached: true });
    livePids.add(-child.pid);
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      livePids.delete(-child.pid);
      if (code === 0) resolve(out);
      else reject(new Error(`wrangler ${args.join(" ")} exited with ${code}:\n${out}`));
    });
  });
}

let bundle = null;

/**
 * Bundles the Worker once per run, as `wrangler deploy` would. The assets directory (web/dist) is a build
 * output that may be missing in a fresh clone; the benchmarks never serve assets, so an empty one stands in.
 */
export function buildWorker() {
  bundle ??= (async () => {
    const outdir = await tempDir("bundle", "run");
    const assets = existsSync(path.join(ROOT, "web/dist")) ? path.join(ROOT, "web/dist") : await tempDir("assets", "run");
    await wrangler(["deploy", "--dry-run", "--outdir", outdir, "--assets", assets]);
    return { scriptPath: path.join(outdir, "index.js"), assets };
  })();
  return bundle;
}

/**
 * Starts Tern on local workerd with a fresh D1 (all migrations applied) in its own temp directory.
 *
 * `extraWorkers` are Miniflare worker options for baseline Workers: each gets Tern's D1 binding (same
 * database) unless it brings its own, and should claim its paths with `routes` (e.g. `["*\/__bench/*"]`)
 * so it is served from the same socket. `miniflareOptions` are merged into Miniflare's top-level options.
 * `bindings` are added to (and override) Tern's vars and secrets: a figure that needs TERN_SECRET passes its
 * own (see `benchSecret`), so a developer's .dev.vars never decides a result. `ternOptions` override Tern's
 * Miniflare worker options (e.g. `routes`, to reach Tern without the emulated assets router; or, for a
 * what-if, `queueConsumers: {}`). Returns the base URL, the Miniflare instance, the workerd pid (for
 * CPU accounting; null if not found), and `d1()`: a proxy to the database, fine for setup and checks but no
 * baseline: every prepare() and bind() on it is a blocking round trip from Node, which serializes clients.
 */
export async function startTern({ name = "tern", extraWorkers = [], miniflareOptions = {}, bindings = {}, ternOptions = {} } = {}) {
  const [{ Miniflare, Log, LogLevel }, { unstable_getMiniflareWorkerOptions }] = await Promise.all([import(MINIFLARE), import("wrangler")]);
  const { scriptPath, assets } = await buildWorker();
  const dir = await tempDir(name);

  await wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", dir]);

  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"), undefined, {
    overrides: { assets: { directory: assets } },
  });
  const d1Databases = workerOptions.d1Databases;
  const before = new Set(childPids("workerd"));
  const mf = new Miniflare({
    log: new Log(process.env.BENCH_LOG === "debug" ? LogLevel.DEBUG : LogLevel.WARN),
    host: "127.0.0.1",
    port: 0,
    d1Persist: path.join(dir, "v3", "d1"), // where `wrangler d1 migrations apply --persist-to dir` put it
    durableObjectsPersist: path.join(dir, "v3", "do"),
    cachePersist: false,
    cf: false, // no fetch of a real Request.cf from the network: offline, and no 3 s timeout at start
    ...miniflareOptions, // e.g. { inspectorPort } to take a CPU profile with the DevTools protocol
    workers: [
      { ...workerOptions, bindings: { ...workerOptions.bindings, ...bindings }, name: "tern", modules: true, scriptPath, modulesRoot: path.dirname(scriptPath), ...ternOptions },
      ...extraWorkers.map((w) => ({ d1Databases, ...w })),
    ],
  });
  let workerdPid = null;
  onCleanup(async () => {
    await mf.dispose();
    livePids.delete(workerdPid);
  });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  workerdPid = childPids("workerd").find((pid) => !before.has(pid)) ?? null;
  if (workerdPid) livePids.add(workerdPid);

  // A wrong persist path would give an empty database and confusing 500s later: fail here instead.
  const d1 = () => mf.getD1Database("DB", "tern");
  const tables = await (await d1()).prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'contacts', 'write_keys')").first();
  if (tables?.n !== 3) throw new Error(`D1 in ${dir} is not migrated (found ${tables?.n} of 3 tables)`);

  return { url, mf, d1, dir, workerdPid };
}

/** A fresh random TERN_SECRET for one Tern instance: the figure signs tokens in Node with the same one. */
export const benchSecret = () => randomBytes(24).toString("base64url");

/**
 * Sets up the owner through the admin API, as a new user would, and returns `api(method, path, body?,
 * expect?)`: a signed-in admin API call that throws unless the status is `expect` (default 200).
 */
export async function setupOwner(url) {
  const setup = await fetch(`${url}/api/auth/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "owner@example.com", name: "Bench Owner", password: "bench password 123" }),
  });
  if (setup.status !== 201) throw new Error(`setup: ${setup.status} ${await setup.text()}`);
  const cookie = setup.headers.get("set-cookie")?.split(";")[0];
  const { csrfToken } = await setup.json();
  return async function api(method, path, body, expect = 200) {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status !== expect) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : null;
  };
}

/** Sets up the owner and mints an ingest write key, as a new user would. */
export async function createWriteKey(url, name = "Bench storefront") {
  const api = await setupOwner(url);
  const { key, source } = await api("POST", "/api/write-keys", { name }, 201);
  return { key, source, authorization: `Basic ${Buffer.from(`${key}:`).toString("base64")}` };
}
