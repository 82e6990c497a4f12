#!/usr/bin/env node
/**
 * Seeds a local D1 database with the "Juniper & Pine" demo store, once: an owner login, a storefront write key,
 * topics, a catalog, ~2,000 contacts and ~20,000 funnel-shaped events, and two months of email: two sent
 * newsletters (one an A/B test) and a live abandoned-cart flow, with opens, clicks and the orders they earned.
 * The data is generated here (seeded PRNG) into one SQL file that `wrangler d1 execute --local --file` runs as a
 * single transaction.
 *
 *   node scripts/seed.mjs                       seed .wrangler/state (what `npm run dev` uses)
 *   node scripts/seed.mjs --persist-to DIR      seed another local persist dir (benchmarks, browser tests)
 *
 * Options: --contacts N  --events N  --seed N  --now ISO|ms  --no-migrate  --json  --reset-credentials
 * The demo login and write key are saved to .wrangler/tern-demo.json (DIR/tern-demo.json with --persist-to).
 */
import { createHash, pbkdf2Sync, randomBytes, randomInt } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as C from "./lib/demo-catalog.mjs";
import { DEFAULTS, generateDemo, q } from "./lib/demo-data.mjs";
import { loadWorkerCore } from "./lib/worker-core.mjs";
import { applyMigrations, executeFile, queryLocal, ROOT, runWrangler, persistArgs } from "./lib/wrangler.mjs";

export const DEMO_EMAIL = "demo@tern.local";
const WRITE_KEY_NAME = "Demo storefront";
// Same format and iteration count as worker/core/crypto.ts hashPassword (workerd caps PBKDF2 at 100,000).
const PBKDF2_ITERATIONS = 100_000;

export function credentialsPath(persistTo) {
  return persistTo ? path.join(path.resolve(persistTo), "tern-demo.json") : path.join(ROOT, ".wrangler", "tern-demo.json");
}

export function readCredentials(persistTo) {
  try {
    return JSON.parse(readFileSync(credentialsPath(persistTo), "utf8"));
  } catch {
    return null;
  }
}

/** `pbkdf2-sha256$ITERATIONS$SALT$HASH`, base64url parts, exactly what the worker's verifyPassword reads. */
export function hashPassword(password, salt = randomBytes(16)) {
  const hash = pbkdf2Sync(password, salt, PBKDF2_ITERATIONS, 32, "sha256");
  return `pbkdf2-sha256$${PBKDF2_ITERATIONS}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

/** A password that is easy to read aloud and type: three groups of four from an unambiguous alphabet (~59 bits). */
function newPassword() {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  const group = () => Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join("");
  return `${group()}-${group()}-${group()}`;
}

function newCredentials() {
  const password = newPassword();
  const writeKey = `wk_${randomBytes(24).toString("base64url")}`;
  return {
    password,
    writeKey,
    owner: { email: DEMO_EMAIL, name: "Demo Owner", passwordHash: hashPassword(password) },
    key: { name: WRITE_KEY_NAME, source: "storefront", keyHash: createHash("sha256").update(writeKey).digest("hex"), prefix: writeKey.slice(0, 10) },
  };
}

function saveCredentials(persistTo, creds, extra = {}) {
  const file = credentialsPath(persistTo);
  mkdirSync(path.dirname(file), { recursive: true });
  const data = { email: DEMO_EMAIL, password: creds.password, writeKey: creds.writeKey, ...extra };
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  return data;
}

/** Whether the applied migrations give contacts a last_event_at column (the seed fills it when they do). */
function hasLastEventAt() {
  const dir = path.join(ROOT, "migrations");
  const sql = readdirSync(dir).filter((f) => f.endsWith(".sql")).sort().map((f) => readFileSync(path.join(dir, f), "utf8")).join("\n");
  return /`?last_event_at`?\s+integer/i.test(sql) && !/DROP COLUMN\s+`?last_event_at`?/i.test(sql);
}

async function seedState(persistTo) {
  const [row] = await queryLocal(
    `SELECT (SELECT value FROM settings WHERE key = 'demo_seeded') AS seeded, (SELECT coalesce(max(id), 0) FROM contacts) AS maxId,
            (SELECT count(*) FROM users) AS users, (SELECT coalesce(max(id), 0) FROM templates) AS maxTemplateId,
            (SELECT coalesce(max(id), 0) FROM campaigns) AS maxCampaignId, (SELECT coalesce(max(id), 0) FROM flows) AS maxFlowId,
            (SELECT coalesce(max(id), 0) FROM events) AS maxEventId, (SELECT coalesce(max(id), 0) FROM topics) AS maxTopicId,
            (SELECT json_group_object(key, id) FROM topics) AS topics, (SELECT json_group_array(name) FROM flows) AS flowNames,
            (SELECT value FROM settings WHERE key = 'attribution') AS attribution,
            coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'attribution_watermark'), 0) AS watermark,
            (SELECT count(*) FROM events WHERE name = 'Order Completed'
               AND id > coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'attribution_watermark'), 0)) AS waitingOrders`,
    { persistTo },
  );
  return { seeded: row?.seeded ? JSON.parse(row.seeded) : null, maxId: Number(row?.maxId ?? 0), empty: !row?.maxId && !row?.users, row };
}

/** What the generator needs to know about the database: ids already taken, topic ids, attribution settings. */
function databaseFacts(row) {
  const topicIds = JSON.parse(row.topics ?? "{}");
  let nextTopic = Number(row.maxTopicId);
  for (const t of C.TOPICS) topicIds[t.key] ??= ++nextTopic;
  const taken = new Set(JSON.parse(row.flowNames ?? "[]"));
  let flowName = "Abandoned cart";
  for (let n = 2; taken.has(flowName); n++) flowName = `Abandoned cart (${n})`;
  let attribution = {};
  try {
    attribution = JSON.parse(row.attribution ?? "{}") ?? {};
  } catch {
    // an unreadable setting falls back to the defaults, as resolveSettings does
  }
  const days = (v, fallback) => (Number.isInteger(v) && v >= 0 && v <= 30 ? v : fallback);
  return {
    maxTemplateId: Number(row.maxTemplateId), maxCampaignId: Number(row.maxCampaignId), maxFlowId: Number(row.maxFlowId), maxEventId: Number(row.maxEventId),
    topicIds, flowName,
    attribution: {
      clickDays: days(attribution.clickDays, 5), openDays: days(attribution.openDays, 1), since: Number(row.watermark),
      // orders already in the database that the cron has not credited yet: it must still reach them
      free: Number(row.waitingOrders) === 0,
    },
  };
}

/**
 * Seeds the database unless it already is. Returns { status, credentials, summary?, timings } where status is
 * "seeded", "already-seeded", or "not-empty" (with `onlyIfEmpty`: the database has users or contacts of its
 * own, which a demo store would mix with). `credentials` is null when the saved file is gone or stale.
 */
export async function seedDemo({
  persistTo, migrate = true, onlyIfEmpty = false, seed = DEFAULTS.seed, contacts = DEFAULTS.contacts, events = DEFAULTS.events,
  now = Date.now(), log = () => {},
} = {}) {
  const timings = {};
  let t = performance.now();
  const lap = (name) => {
    const next = performance.now();
    timings[name] = Math.round(next - t);
    t = next;
  };

  // Bundling the Worker's modules takes a second; it runs while wrangler starts up below.
  const core = loadWorkerCore();
  core.catch(() => {}); // awaited below; an early failure must not count as unhandled
  if (migrate) {
    log("Applying migrations to local D1...");
    await applyMigrations({ persistTo });
    lap("migrate");
  }
  const state = await seedState(persistTo);
  lap("check");
  if (state.seeded) {
    // A credentials file from an earlier database (state deleted and seeded elsewhere) would only mislead.
    const saved = readCredentials(persistTo);
    const current = saved && saved.seededAt === new Date(state.seeded.seededAt).toISOString();
    return { status: "already-seeded", marker: state.seeded, credentials: current ? saved : null, timings };
  }
  if (onlyIfEmpty && !state.empty) return { status: "not-empty", credentials: null, timings };

  log(`Generating the demo store (${contacts} contacts, ~${events} events)...`);
  const creds = newCredentials();
  const { statements, summary } = generateDemo({
    now, seed, contacts, events, idBase: state.maxId, owner: creds.owner, writeKey: creds.key, lastEventAt: hasLastEventAt(),
    core: await core, db: databaseFacts(state.row),
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), "tern-seed-"));
  const file = path.join(dir, "seed.sql");
  writeFileSync(file, `${statements.join(";\n")};\n`);
  const bytes = statSync(file).size;
  lap("generate");

  log(`Loading it into local D1 (${statements.length} statements, ${(bytes / 1e6).toFixed(1)} MB)...`);
  try {
    await executeFile(file, { persistTo });
  } catch (err) {
    // Keep the file for a look at what failed; the transaction left the database as it was.
    throw new Error(`${err.message}\nThe seed SQL is kept at ${file}`);
  }
  lap("execute");
  rmSync(dir, { recursive: true, force: true });
  const credentials = saveCredentials(persistTo, creds, { seededAt: new Date(now).toISOString() });
  return { status: "seeded", credentials, summary, statements: statements.length, bytes, timings };
}

/** Gives the demo owner a new password and replaces the demo write key (for when tern-demo.json was lost). */
export async function resetCredentials({ persistTo } = {}) {
  const { seeded } = await seedState(persistTo);
  if (!seeded) throw new Error("this database has no demo store yet; run node scripts/seed.mjs to seed it");
  const creds = newCredentials();
  const now = Date.now();
  const email = q(DEMO_EMAIL);
  const sql = [
    `INSERT INTO users (email, name, password_hash, role, created_at, password_changed_at) VALUES (${email}, ${q(creds.owner.name)}, ${q(creds.owner.passwordHash)}, 'owner', ${now}, ${now}) ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash, password_changed_at = excluded.password_changed_at`,
    `DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = ${email})`,
    `DELETE FROM write_keys WHERE name = ${q(WRITE_KEY_NAME)}`,
    `INSERT INTO write_keys (name, source, key_hash, prefix, created_at) VALUES (${q(creds.key.name)}, ${q(creds.key.source)}, ${q(creds.key.keyHash)}, ${q(creds.key.prefix)}, ${now})`,
  ].join(";\n");
  await runWrangler(["d1", "execute", "DB", "--local", ...persistArgs(persistTo), "--command", sql]);
  return saveCredentials(persistTo, creds, { seededAt: new Date(seeded.seededAt).toISOString(), resetAt: new Date(now).toISOString() });
}

const shown = (file) => {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
};

// ---- command line ----------------------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = { migrate: true, json: false, reset: false };
  const value = (i, name) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`${name} needs a value`);
    return v;
  };
  const count = (v, name) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [arg, inline] = argv[i].split(/=(.*)/s, 2);
    const take = () => (inline !== undefined ? inline : value(i++, arg));
    if (arg === "--persist-to") opts.persistTo = take();
    else if (arg === "--contacts") opts.contacts = count(take(), arg);
    else if (arg === "--events") opts.events = count(take(), arg);
    else if (arg === "--seed") opts.seed = count(take(), arg);
    else if (arg === "--now") {
      const v = take();
      opts.now = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
      if (!Number.isFinite(opts.now)) throw new Error("--now must be an ISO date or epoch milliseconds");
    } else if (arg === "--no-migrate") opts.migrate = false;
    else if (arg === "--json") opts.json = true;
    else if (arg === "--reset-credentials") opts.reset = true;
    else if (arg === "--help" || arg === "-h") opts.help = true;
    else throw new Error(`unknown option ${argv[i]} (try --help)`);
  }
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`seed: ${err.message}`);
    process.exit(2);
  }
  if (opts.help) {
    const text = readFileSync(fileURLToPath(import.meta.url), "utf8");
    console.log(text.slice(text.indexOf("/**") + 3, text.indexOf("*/")).replace(/^ \* ?/gm, "").trim());
    return;
  }
  const log = opts.json ? () => {} : (m) => console.log(m);
  if (opts.reset) {
    if (opts.migrate) await applyMigrations({ persistTo: opts.persistTo });
    const credentials = await resetCredentials(opts);
    if (opts.json) console.log(JSON.stringify({ status: "reset", credentials }));
    else console.log(`New demo credentials saved to ${shown(credentialsPath(opts.persistTo))}:\n  login ${credentials.email} / ${credentials.password}\n  write key ${credentials.writeKey}`);
    return;
  }
  const result = await seedDemo({ ...opts, log });
  if (opts.json) {
    console.log(JSON.stringify(result));
    return;
  }
  const where = opts.persistTo ? `the local D1 in ${opts.persistTo}` : "the local D1 (.wrangler/state)";
  if (result.status === "already-seeded") {
    console.log(`The demo store is already in ${where} (seeded ${new Date(result.marker.seededAt).toISOString()}); nothing to do.`);
  } else {
    const s = result.summary;
    console.log(
      `Seeded ${where}: ${s.contacts} contacts (+${s.anonymous} anonymous visitors), ${s.events} events, ` +
        `${s.orders} orders from ${s.customers} customers (${s.repeatCustomers} repeat), $${s.revenue.toLocaleString("en-US")} revenue.`,
    );
    const e = s.email;
    const campaigns = e.campaigns.map((c) => `"${c.name}" ${c.sent} sent, ${c.opened} opened, ${c.clicked} clicked, $${c.revenue.toLocaleString("en-US")}${c.winner ? ` (winner ${c.winner})` : ""}`);
    console.log(
      `Email: ${[...campaigns, `flow "${e.flow.name}" ${e.flow.runs} runs, ${e.flow.sent} sent, $${e.flow.revenue.toLocaleString("en-US")}`].join("; ")}; ` +
        `${e.attributed.orders} orders credited to email.`,
    );
    console.log(`Took ${result.timings.generate} ms to generate and ${result.timings.execute} ms to load.`);
  }
  const c = result.credentials;
  if (c) console.log(`Demo login: ${c.email} / ${c.password}\nWrite key:  ${c.writeKey}\n(saved in ${shown(credentialsPath(opts.persistTo))})`);
  else console.log(`The saved demo credentials are missing or from an earlier database; run: node scripts/seed.mjs${opts.persistTo ? ` --persist-to ${opts.persistTo}` : ""} --reset-credentials`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`seed: ${err.message}`);
    process.exit(1);
  });
}
