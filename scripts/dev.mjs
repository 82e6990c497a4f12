#!/usr/bin/env node
/**
 * `npm run dev`: everything Tern needs locally, offline and without a Cloudflare account. Creates .dev.vars
 * with a TERN_SECRET, applies the D1 migrations, seeds the demo store once, builds the admin UI and runs
 * `wrangler dev`, printing the demo login and write key.
 *
 * Options: --port N (default 8787)  --persist-to DIR (another local state dir)  --no-build (keep web/dist as is)
 * Pass them through npm with `npm run dev -- --port 8788`.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { credentialsPath, seedDemo } from "./seed.mjs";
import { activeChildren, applyMigrations, persistArgs, ROOT, wranglerCommand, wranglerEnv } from "./lib/wrangler.mjs";

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[22m` : s);
const dim = (s) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[22m` : s);
const red = (s) => (process.stderr.isTTY ? `\x1b[31m${s}\x1b[39m` : s);
const say = (msg) => console.log(`${dim("tern")} ${msg}`);
const running = new Set(); // children to stop if we give up early
const stopChildren = () => {
  for (const child of [...running, ...activeChildren]) child.kill("SIGTERM");
};
const fail = (msg) => {
  console.error(`${red("tern")} ${msg}`);
  stopChildren();
  process.exit(1);
};
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"];
// Until wrangler dev runs, a signal stops the setup steps (the seed is one transaction: nothing half-written).
const stopSetup = (signal) => {
  stopChildren();
  process.exit(128 + os.constants.signals[signal]);
};
for (const signal of SIGNALS) process.on(signal, stopSetup);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function parseArgs(argv) {
  const opts = { port: 8787, build: true, persistTo: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [arg, inline] = argv[i].split(/=(.*)/s, 2);
    const take = () => inline ?? argv[++i];
    if (arg === "--port") opts.port = Number(take());
    else if (arg === "--persist-to") {
      opts.persistTo = take();
      if (!opts.persistTo) fail("--persist-to needs a directory");
    }
    else if (arg === "--no-build") opts.build = false;
    else if (arg === "--help" || arg === "-h") {
      const text = readFileSync(new URL(import.meta.url), "utf8");
      console.log(text.slice(text.indexOf("/**") + 3, text.indexOf("*/")).replace(/^ \* ?/gm, "").trim());
      process.exit(0);
    } else fail(`unknown option ${argv[i]} (try --help)`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) fail("--port must be a port number");
  return opts;
}

/** .dev.vars is wrangler's local secrets file. An existing secret is kept: changing it breaks links in sent mail. */
function ensureDevVars() {
  const file = path.join(ROOT, ".dev.vars");
  const line = `TERN_SECRET=${randomBytes(32).toString("hex")}\n`;
  if (!existsSync(file)) {
    writeFileSync(file, `# Local secrets for wrangler dev (not committed).\n${line}`, { mode: 0o600 });
    say("Created .dev.vars with a new TERN_SECRET");
    return;
  }
  const text = readFileSync(file, "utf8");
  if (/^\s*TERN_SECRET\s*=/m.test(text)) return;
  appendFileSync(file, `${text.endsWith("\n") || text === "" ? "" : "\n"}${line}`);
  say("Added a TERN_SECRET to your .dev.vars");
}

/**
 * Runs `npm run build` with its output held back (it runs alongside the database steps, whose messages it
 * would otherwise interleave with) and shown only when the build fails.
 */
function buildUi() {
  const started = Date.now();
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  return new Promise((resolve) => {
    let output = "";
    const child = spawn(npm, ["run", "build"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    child.on("exit", () => running.delete(child));
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", (err) => resolve({ ok: false, why: err.message, output, ms: Date.now() - started }));
    child.on("close", (code) => resolve({ ok: code === 0, why: `exit code ${code}`, output, ms: Date.now() - started }));
  });
}

function reportBuild(result) {
  if (result.ok) {
    say(`Admin UI built (npm run build, ${seconds(result.ms)})`);
    return;
  }
  const output = result.output.split("\n").filter((l) => !/^npm warn /.test(l)).join("\n").trim();
  console.error(`\n${output}\n`);
  const why = `npm run build failed: ${result.why}`;
  if (existsSync(path.join(ROOT, "web", "dist", "index.html"))) {
    console.error(red(`  The admin UI did not build (${why}); the output is above.`));
    console.error(red("  Starting anyway with the previous build in web/dist, which may be out of date.\n"));
    return;
  }
  fail(`The admin UI did not build (${why}; the output is above) and there is no earlier build in web/dist.\n` +
    "     wrangler serves the UI from web/dist, so fix the error and run `npm run dev` again.");
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function banner(port, seeded, persistTo) {
  const creds = seeded.credentials;
  const url = `http://localhost:${port}`;
  const lines = ["", `  ${bold("Tern")} is running at ${bold(url)}`, ""];
  if (creds) {
    lines.push(
      `  Admin login   ${creds.email}  /  ${bold(creds.password)}`,
      `  Write key     ${creds.writeKey}`,
      "",
      "  Send a test event (Segment batch API):",
      `  curl -u ${creds.writeKey}: -H 'Content-Type: application/json' ${url}/v1/batch -d '{"batch":[{"type":"identify","userId":"u-1001","traits":{"email":"ada@example.com","first_name":"Ada"}},{"type":"track","userId":"u-1001","event":"Product Viewed","properties":{"product_id":"jp-1001","name":"Cast Iron Skillet, 10 in","price":54}}]}'`,
    );
  } else if (seeded.status === "not-empty") {
    lines.push("  Sign in with your own account (or create the first one on that page).");
  } else {
    const reset = `node scripts/seed.mjs${persistTo ? ` --persist-to ${persistTo}` : ""} --reset-credentials`;
    lines.push(`  The saved demo credentials (${path.relative(ROOT, credentialsPath(persistTo))}) are missing or from an earlier database.`, `  Make new ones with: ${reset}`);
  }
  lines.push("", dim("  Sent email lands in the outbox (EMAIL_PROVIDER=outbox). Press Ctrl-C to stop."), "");
  console.log(lines.join("\n"));
}

async function waitUntilUp(port, child) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(10_000) });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  if (!(await portFree(opts.port))) fail(`Port ${opts.port} is in use. Stop whatever runs there, or use: npm run dev -- --port 8788`);
  ensureDevVars();
  const build = opts.build ? buildUi() : null;
  if (build) say("Building the admin UI in the background...");

  say("Applying D1 migrations (local)...");
  try {
    await applyMigrations({ persistTo: opts.persistTo });
  } catch (err) {
    fail(`Could not apply the migrations:\n${err.message}`);
  }

  let seeded;
  try {
    seeded = await seedDemo({ persistTo: opts.persistTo, migrate: false, onlyIfEmpty: true, log: say });
  } catch (err) {
    fail(`Could not seed the demo store:\n${err.message}`);
  }
  if (seeded.status === "seeded") {
    const s = seeded.summary;
    say(
      `Demo store "Juniper & Pine" seeded: ${s.contacts} contacts, ${s.events} events, ${s.orders} orders, ` +
        `${s.email.campaigns.length} sent campaigns and a live abandoned-cart flow (${s.email.attributed.orders} orders credited to email) ` +
        `(generated in ${seconds(seeded.timings.generate)}, loaded in ${seconds(seeded.timings.execute)})`,
    );
  } else if (seeded.status === "already-seeded") {
    say("Demo store already seeded; keeping your data");
  } else {
    say("Your local database has data of its own, so the demo store was not added (node scripts/seed.mjs adds it anyway)");
  }

  if (build) reportBuild(await build);
  else if (!existsSync(path.join(ROOT, "web", "dist"))) fail("--no-build needs an earlier build in web/dist (wrangler serves the UI from there)");
  say(`Ready in ${seconds(Date.now() - started)}; starting wrangler dev...`);
  banner(opts.port, seeded, opts.persistTo);

  // wrangler dev does not fire cron triggers by itself: --test-scheduled exposes them, and a timer below calls
  // the scheduled handler every minute as Cloudflare would (attribution, campaigns, flow triggers, sweeps).
  const { cmd, args } = wranglerCommand(["dev", "--port", String(opts.port), "--test-scheduled", ...persistArgs(opts.persistTo)]);
  // Request.cf (geo data) would be fetched from workers.cloudflare.com at start: offline that only logs an error,
  // and wrangler falls back to a placeholder anyway. Set CLOUDFLARE_CF_FETCH_ENABLED=true to fetch it.
  const env = wranglerEnv(process.env.CLOUDFLARE_CF_FETCH_ENABLED === undefined ? { CLOUDFLARE_CF_FETCH_ENABLED: "false" } : {});
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: "inherit" });
  // Ctrl-C reaches wrangler through the terminal as well; forwarding covers `kill` of this process alone.
  for (const signal of SIGNALS) {
    process.off(signal, stopSetup);
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on("error", (err) => fail(`Could not start wrangler: ${err.message}`));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + os.constants.signals[signal] : 0)));

  if (await waitUntilUp(opts.port, child)) {
    banner(opts.port, seeded, opts.persistTo);
    runCronEveryMinute(opts.port, child);
  }
}

function runCronEveryMinute(port, child) {
  const tick = async () => {
    if (child.exitCode !== null) return;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/__scheduled?cron=${encodeURIComponent("* * * * *")}`, { signal: AbortSignal.timeout(50_000) });
      if (!res.ok) console.error(dim(`  (the minute's cron run answered ${res.status})`));
    } catch {
      // wrangler restarting after an edit: the next minute tries again
    }
  };
  tick();
  setInterval(tick, 60_000).unref();
}

main();
