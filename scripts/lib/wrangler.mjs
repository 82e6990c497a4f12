/** Runs the project's own wrangler non-interactively (no prompts, no metrics), for the dev and seed scripts. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

// Calling wrangler's bin with this node skips npx's own start-up and leaves no npm process between us and
// wrangler, so signals reach it directly. `npx wrangler` is the fallback when the layout is unexpected.
const localBin = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/** Environment for every wrangler call: CI=1 answers confirmations itself, metrics stay off (offline). */
export function wranglerEnv(extra = {}) {
  return { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", ...extra };
}

export function wranglerCommand(args) {
  return existsSync(localBin)
    ? { cmd: process.execPath, args: [localBin, ...args] }
    : { cmd: process.platform === "win32" ? "npx.cmd" : "npx", args: ["wrangler", ...args] };
}

/** wrangler processes still running, so a script that is stopped early can stop them too. */
export const activeChildren = new Set();

/**
 * Runs `wrangler ...args` to completion. stdin is closed, so a prompt that slipped through fails instead of
 * hanging. Output is captured; `echo` also streams it to ours. Rejects with the output on a non-zero exit.
 */
export function runWrangler(args, { echo = false, cwd = ROOT } = {}) {
  const { cmd, args: argv } = wranglerCommand(args);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, env: wranglerEnv(), stdio: ["ignore", "pipe", "pipe"] });
    activeChildren.add(child);
    child.on("exit", () => activeChildren.delete(child));
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      if (echo) process.stdout.write(d);
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      if (echo) process.stderr.write(d);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) return resolve({ stdout, stderr });
      const err = new Error(`wrangler ${args.join(" ")} failed (${signal ?? `exit ${code}`})\n${tail(stderr || stdout)}`);
      err.stdout = stdout;
      err.stderr = stderr;
      reject(err);
    });
  });
}

const tail = (text, lines = 30) => text.trim().split("\n").slice(-lines).join("\n");

/** `--persist-to DIR` when a directory is given, else nothing (wrangler's default is .wrangler/state). */
export const persistArgs = (persistTo) => (persistTo ? ["--persist-to", path.resolve(persistTo)] : []);

export function applyMigrations({ persistTo, echo = false } = {}) {
  return runWrangler(["d1", "migrations", "apply", "DB", "--local", ...persistArgs(persistTo)], { echo });
}

/** Runs one read-only SQL statement on local D1 and returns its rows. */
export async function queryLocal(sql, { persistTo } = {}) {
  const { stdout } = await runWrangler(["d1", "execute", "DB", "--local", ...persistArgs(persistTo), "--json", "--command", sql]);
  const start = stdout.indexOf("[");
  if (start < 0) throw new Error(`unexpected output from wrangler d1 execute --json:\n${stdout}`);
  const results = JSON.parse(stdout.slice(start));
  return results[results.length - 1]?.results ?? [];
}

export function executeFile(file, { persistTo } = {}) {
  return runWrangler(["d1", "execute", "DB", "--local", ...persistArgs(persistTo), "--file", file]);
}
