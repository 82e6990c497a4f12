/**
 * Starts Tern's real Worker on local workerd with a fresh, migrated D1 in a temporary directory, and cleans up
 * every directory and child process it made, also on Ctrl-C or a crash.
 *
 * Why Miniflare directly, and not `wrangler dev` or `unstable_startWorker`: both of those put wrangler's
 * ProxyWorker (a second workerd hop, about 1 ms per request on this machine) in front of the Worker. A
 * figure compares Tern against a baseline Worker, and the baseline would not pay for that proxy. Here the
 * bundle is exactly what `wrangler deploy` uploads (`wrangler deploy --dry-run --outdir`), the bindings are
 * exactly what wrangler derives from wrangler.toml (`unstable_getMiniflareWorkerOptions`, the same call
 * vitest-pool-workers makes), the D1 is migrated by `wrangler d1 migrations apply --local`, and baseline
 * Workers run in the same workerd process, bound to the same D1, behind the same HTTP socket and entry
 * router. Both sides of a ratio then pay the same way into workerd.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
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

/** Everything to undo, newest first. */
const cleanups = [];
let cleaning = null;

export function onCleanup(fn) {
  cleanups.push(fn);
}

/** Runs every cleanup once (later calls wait for the first). Safe to call from signal handlers. */
export function cleanup() {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const fn = cleanups.pop();
      try {
        await fn();
      } catch (err) {
        console.error("cleanup failed:", err?.message ?? err);
      }
    }
  })();
  return cleaning;
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    cleanup().finally(() => process.exit(130));
  });
}

let tempRoot = null;

/** A fresh directory under one per-run temp root that is removed at cleanup. */
export async function tempDir(name) {
  if (!tempRoot) {
    tempRoot = await mkdtemp(path.join(tmpdir(), "tern-bench-"));
    const root = tempRoot;
    onCleanup(() => rm(root, { recursive: true, force: true }));
  }
  const dir = path.join(tempRoot, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Runs wrangler with metrics off; resolves with its output, rejects with it on a non-zero exit. */
export function wrangler(args, { cwd = ROOT } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER_BIN, ...args], { cwd, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    const kill = () => child.exitCode === null && child.kill("SIGTERM");
    onCleanup(kill);
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const i = cleanups.indexOf(kill);
      if (i >= 0) cleanups.splice(i, 1);
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
    const outdir = await tempDir("bundle");
    const assets = existsSync(path.join(ROOT, "web/dist")) ? path.join(ROOT, "web/dist") : await tempDir("assets");
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
 * so it is served from the same socket. `miniflareOptions` are merged into Miniflare's top-level options. Returns the base URL, the Miniflare instance, the workerd pid (for
 * CPU accounting; null if not found), and `d1()`: a proxy to the database, fine for setup and checks but no
 * baseline: every prepare() and bind() on it is a blocking round trip from Node, which serializes clients.
 */
export async function startTern({ name = "tern", extraWorkers = [], miniflareOptions = {} } = {}) {
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
    log: new Log(LogLevel.WARN),
    host: "127.0.0.1",
    port: 0,
    d1Persist: path.join(dir, "v3", "d1"), // where `wrangler d1 migrations apply --persist-to dir` put it
    durableObjectsPersist: path.join(dir, "v3", "do"),
    cachePersist: false,
    cf: false, // no fetch of a real Request.cf from the network: offline, and no 3 s timeout at start
    ...miniflareOptions, // e.g. { inspectorPort } to take a CPU profile with the DevTools protocol
    workers: [
      { ...workerOptions, name: "tern", modules: true, scriptPath, modulesRoot: path.dirname(scriptPath) },
      ...extraWorkers.map((w) => ({ d1Databases, ...w })),
    ],
  });
  const dispose = () => mf.dispose();
  onCleanup(dispose);
  const url = (await mf.ready).toString().replace(/\/$/, "");
  const workerdPid = childPids("workerd").find((pid) => !before.has(pid)) ?? null;

  // A wrong persist path would give an empty database and confusing 500s later: fail here instead.
  const d1 = () => mf.getD1Database("DB", "tern");
  const tables = await (await d1()).prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'contacts', 'write_keys')").first();
  if (tables?.n !== 3) throw new Error(`D1 in ${dir} is not migrated (found ${tables?.n} of 3 tables)`);

  return { url, mf, d1, dir, workerdPid, dispose };
}

/** Sets up the owner through the admin API and mints an ingest write key, as a new user would. */
export async function createWriteKey(url, name = "Bench storefront") {
  const setup = await fetch(`${url}/api/auth/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "owner@example.com", name: "Bench Owner", password: "bench password 123" }),
  });
  if (setup.status !== 201) throw new Error(`setup: ${setup.status} ${await setup.text()}`);
  const cookie = setup.headers.get("set-cookie")?.split(";")[0];
  const { csrfToken } = await setup.json();
  const res = await fetch(`${url}/api/write-keys`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`write key: ${res.status} ${await res.text()}`);
  const { key, source } = await res.json();
  return { key, source, authorization: `Basic ${Buffer.from(`${key}:`).toString("base64")}` };
}
