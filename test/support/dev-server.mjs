// Starts Tern under `wrangler dev` on a free port with its own fresh local D1 (migrations applied), for tests
// that need the real HTTP surface: browser tests, SDK compatibility tests. Always call stop().
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], ...options });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}\n${out}`))));
  });
}

/**
 * A free port can be taken by another process before wrangler binds it (other test runs on this machine): then
 * wrangler exits with "Address already in use" and the start is retried on fresh ports. "Ready on URL" in its
 * own output proves the port is ours before /healthz is asked.
 *
 * @param {{ vars?: Record<string, string>, timeoutMs?: number }} [options] extra Worker variables (`--var`)
 * @returns {Promise<{ url: string, port: number, persistDir: string, log: () => string, stop: () => Promise<void> }>}
 */
export async function startDevServer(options = {}) {
  const persistDir = await mkdtemp(join(tmpdir(), "tern-dev-"));
  try {
    await run("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir]);
    // A fresh secret per server: tests never depend on the developer's .dev.vars.
    const vars = { TERN_SECRET: randomBytes(32).toString("hex"), ...options.vars };
    for (let attempt = 1; ; attempt++) {
      const server = await launch(persistDir, vars, options.timeoutMs ?? 90_000);
      if (server.up) return { url: server.url, port: server.port, persistDir, log: server.log, stop: async () => {
        await server.stop();
        await rm(persistDir, { recursive: true, force: true });
      } };
      await server.stop();
      if (!/Address already in use/.test(server.log()) || attempt === 3) {
        throw new Error(`wrangler dev ${server.exited() ? "exited early" : "did not answer within the timeout"}:\n${server.log()}`);
      }
    }
  } catch (err) {
    await rm(persistDir, { recursive: true, force: true });
    throw err;
  }
}

/** One attempt: wrangler dev on fresh ports, waited for until it answers, exits, or the timeout passes. */
async function launch(persistDir, vars, timeoutMs) {
  const port = await freePort();
  const inspector = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = ["wrangler", "dev", "--port", String(port), "--ip", "127.0.0.1", "--inspector-port", String(inspector), "--persist-to", persistDir, "--show-interactive-dev-session=false"];
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const child = spawn("npx", args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid, "SIGTERM"); // wrangler runs workerd as a child: signal the whole group
    } catch {}
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  let up = false;
  while (child.exitCode === null && Date.now() < deadline) {
    if (log.includes(`Ready on ${url}`)) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) {
          up = true;
          break;
        }
      } catch {}
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { up, url, port, stop, log: () => log, exited: () => child.exitCode !== null };
}

/** Creates the owner account on a fresh server; returns a fetch that sends the session cookie and CSRF token. */
export async function ownerSession(url, owner = { email: "owner@example.com", name: "Owner", password: "correct horse battery staple" }) {
  const res = await fetch(`${url}/api/auth/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(owner) });
  if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get("set-cookie").split(";")[0];
  const { csrfToken } = await res.json();
  return (path, init = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { cookie, "x-csrf-token": csrfToken, ...(init.body ? { "content-type": "application/json" } : {}), ...init.headers },
    });
}
