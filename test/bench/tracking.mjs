/**
 * Figure: requests/s of Tern's open pixel (GET /o/TOKEN) and click redirect (GET /c/TOKEN → 302), each as a
 * ratio of a bare Hono route (`app.get("/__bench/x", c => c.text("ok"))`) served by the same workerd process,
 * through the same socket and entry router, with the same clients. Target: ≥ 0.8 for both.
 *
 * What each side pays per request:
 * - pixel / click: workerd's socket → Miniflare's entry router → Tern's Hono app (secure headers, its
 *   routers) → HMAC-SHA256 verification of the token (no D1 read) → the response, with the hit handed to the
 *   TRACK queue in waitUntil.
 * - baseline: the same socket and entry router → a Worker bundling Hono with one route and nothing else.
 * Both are reached the same way: a Miniflare `routes` entry (host tern.direct.bench, sent as the Host header)
 * sends /o/*, /c/* and /healthz straight to Tern, as the baseline's route sends /__bench/* to it. Without it,
 * Tern's requests would first cross Miniflare's emulation of the assets router (an RPC-proxy Worker and a
 * router Worker: Tern has static assets, the baseline none), which costs workerd more CPU than the whole
 * bare route; on Cloudflare that routing (wrangler.toml's run_worker_first) happens before the Worker and is
 * not the Worker's CPU. The path through it is measured beside, not judged ("pixel via assets router").
 * "Tern /healthz" (not judged) is a trivial route inside Tern: bare → healthz is the price of Tern's app and
 * middleware, healthz → pixel/click that of the token check and the queue hand-off.
 *
 * The tokens are real: a few transactional emails are sent through POST /api/send with the outbox provider,
 * and every token is also signed in Node (worker/core/tokens.ts bundled by esbuild, with the TERN_SECRET this
 * instance was given) and must equal the one in the sent email. The TRACK consumer runs in the same workerd
 * during the rounds (so its D1 writes load both sides alike); afterwards every hit must be stored as an
 * "Email Opened"/"Email Clicked" event once the queue has drained.
 */
import { performance } from "node:perf_hooks";
import { bareHonoWorker, ternModules } from "./lib/bundle.mjs";
import { cpuMs, loadPerCore } from "./lib/cpu.mjs";
import { benchSecret, onCleanup, setupOwner, startTern } from "./lib/harness.mjs";
import { client } from "./lib/http.mjs";
import { alternate } from "./lib/load.mjs";
import { destinations, recipients, TEMPLATE } from "./lib/email.mjs";

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = 12;
const PER_ROUND = Math.ceil(Number(process.env.BENCH_REQUESTS ?? 3000) / ROUNDS); // per side
const WARMUP = 400;
const EMAILS = 20;
const DRAIN_TIMEOUT_MS = 60_000;
const USER_AGENT = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15";
const GIF_BYTES = 42;
const DIRECT = "tern.direct.bench"; // Host of requests routed straight to Tern (see above) // the 1×1 transparent GIF in worker/http/track.ts

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `read()` until `done(value)`, or until `timeoutMs` pass; returns the last value and the time taken. */
async function waitFor(read, done, timeoutMs, every = 250) {
  const t0 = performance.now();
  let value = await read();
  while (!done(value) && performance.now() - t0 < timeoutMs) {
    await sleep(every);
    value = await read();
  }
  return { value, ms: performance.now() - t0 };
}

export default {
  name: "tracking",
  title: "GET /o/TOKEN (pixel) and GET /c/TOKEN (302) vs a bare Hono route on the same workerd",
  target: 0.8,

  async run({ log }) {
    const secret = benchSecret();
    const [script, tern] = await Promise.all([bareHonoWorker("/__bench/x"), ternModules()]);
    const server = await startTern({
      bindings: { TERN_SECRET: secret },
      ternOptions: { routes: [`${DIRECT}/o/*`, `${DIRECT}/c/*`, `${DIRECT}/healthz`] },
      extraWorkers: [{ name: "bench-hono", modules: true, script, compatibilityDate: "2026-04-01", routes: ["*/__bench/*"] }],
    });
    const d1 = await server.d1();
    const count = async (sql, ...args) => (await d1.prepare(sql).bind(...args).first()).n;
    log(`Tern at ${server.url}`);

    // Emails with real tokens: owner, settings, a template, EMAILS transactional sends through the outbox.
    const api = await setupOwner(server.url);
    await api("PATCH", "/api/settings", { sending: { publicUrl: server.url, ratePerSecond: 200 } });
    const template = await api("POST", "/api/templates", TEMPLATE, 201);
    const people = recipients(EMAILS, 11);
    const sent = [];
    for (const r of people) {
      const { messageId } = await api("POST", "/api/send", { templateId: template.id, to: r.contact.email, data: r.event }, 202);
      sent.push({ id: messageId, event: r.event });
    }
    const delivered = await waitFor(() => count("SELECT count(*) AS n FROM outbox"), (n) => n >= EMAILS, 30_000);
    if (delivered.value < EMAILS) throw new Error(`only ${delivered.value} of ${EMAILS} emails reached the outbox in 30 s`);
    log(`${EMAILS} emails sent through /api/send and the outbox in ${(delivered.ms / 1000).toFixed(1)} s`);

    // The tokens in the emails, and the same tokens signed in Node.
    const key = await tern.tokenKey(secret);
    const tokenRe = (kind) => new RegExp(`${server.url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/${kind}/([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)`, "g");
    let matching = 0;
    let total = 0;
    const messages = [];
    for (const m of sent) {
      const { html } = await d1.prepare("SELECT html FROM outbox WHERE message_id = ?").bind(m.id).first();
      const inEmail = { open: [...html.matchAll(tokenRe("o"))].map((x) => x[1]), clicks: [...html.matchAll(tokenRe("c"))].map((x) => x[1]) };
      const links = destinations(m.event);
      const open = await tern.signToken(key, { k: "o", m: m.id });
      const clicks = await Promise.all(links.map((u, l) => tern.signToken(key, { k: "c", m: m.id, u, l })));
      total += 1 + clicks.length;
      matching += (inEmail.open[0] === open) + clicks.filter((c, i) => inEmail.clicks[i] === c).length;
      messages.push({ id: m.id, open, clicks: clicks.map((token, l) => ({ token, url: links[l] })) });
    }

    // Jobs: the same number of requests per side and round, spread over every email and link.
    const http = client(server.url, { sockets: CONCURRENCY });
    onCleanup(() => http.close());
    const headers = { host: DIRECT, "user-agent": USER_AGENT, accept: "*/*" };
    const viaAssets = { ...headers, host: new URL(server.url).host };
    const hits = { o: 0, c: 0 };
    let n = 0;
    const jobsOf = (make) => (rounds, size) => Array.from({ length: rounds }, () => Array.from({ length: size }, () => make(n++)));
    const jobs = {
      pixel: jobsOf((i) => ({ path: `/o/${messages[i % EMAILS].open}` })),
      click: jobsOf((i) => {
        const m = messages[i % EMAILS];
        return m.clicks[Math.floor(i / EMAILS) % m.clicks.length];
      }),
      healthz: jobsOf(() => ({ path: "/healthz" })),
      pixelViaAssets: jobsOf((i) => ({ path: `/o/${messages[i % EMAILS].open}` })),
      bare: jobsOf(() => ({ path: "/__bench/x" })),
    };
    const pixel = (h) => async (job) => {
      const res = await http.request("GET", job.path, h);
      if (res.status !== 200 || res.headers["content-type"] !== "image/gif" || res.body.length !== GIF_BYTES) throw new Error(`pixel: ${res.status} ${res.headers["content-type"]} ${res.body.length} bytes`);
      hits.o++;
    };
    const sends = {
      pixel: pixel(headers),
      click: async (job) => {
        const res = await http.request("GET", `/c/${job.token}`, headers);
        if (res.status !== 302 || res.headers.location !== job.url) throw new Error(`click: ${res.status} → ${res.headers.location} (expected ${job.url})`);
        hits.c++;
      },
      healthz: async (job) => {
        const res = await http.request("GET", job.path, headers);
        if (res.status !== 200) throw new Error(`healthz: ${res.status}`);
      },
      bare: async (job) => {
        const res = await http.request("GET", job.path, headers);
        if (res.status !== 200 || res.body.toString() !== "ok") throw new Error(`bare route: ${res.status} ${res.body.toString().slice(0, 100)}`);
      },
      pixelViaAssets: pixel(viaAssets),
    };
    const sides = (rounds, size) => Object.fromEntries(Object.keys(sends).map((name) => [name, { send: sends[name], jobs: jobs[name](rounds, size) }]));

    const load = [loadPerCore()];
    log(`warming up: ${WARMUP} requests per side`);
    await alternate({ sides: sides(1, WARMUP), rounds: 1, concurrency: CONCURRENCY });
    log(`measuring: ${ROUNDS} alternating rounds of ${PER_ROUND} requests per side, ${CONCURRENCY} concurrent keep-alive clients`);
    const results = await alternate({
      sides: sides(ROUNDS, PER_ROUND),
      rounds: ROUNDS,
      concurrency: CONCURRENCY,
      cpuMs: server.workerdPid ? () => cpuMs(server.workerdPid) : undefined,
    });
    load.push(loadPerCore());

    // Every hit recorded once the TRACK queue has drained (batches of 100, or every 2 s).
    log(`waiting for the TRACK queue to record ${hits.o} opens and ${hits.c} clicks`);
    const recorded = async () => ({
      o: await count("SELECT count(*) AS n FROM events WHERE name = 'Email Opened' AND source = 'email'"),
      c: await count("SELECT count(*) AS n FROM events WHERE name = 'Email Clicked' AND source = 'email'"),
    });
    const before = await recorded();
    const drained = await waitFor(recorded, (r) => r.o >= hits.o && r.c >= hits.c, DRAIN_TIMEOUT_MS, 500);
    const flags = (await d1.prepare("SELECT name, flag, count(*) AS n FROM events WHERE source = 'email' GROUP BY name, flag ORDER BY name, flag").all()).results;
    const opened = await count("SELECT count(*) AS n FROM messages WHERE coalesce(opened_at, machine_opened_at) IS NOT NULL");
    const attributed = await count(
      "SELECT count(*) AS n FROM events e JOIN messages m ON m.id = e.email_id WHERE e.name IN ('Email Opened', 'Email Clicked') AND e.contact_id = m.contact_id AND json_extract(e.properties, '$.message_id') = m.id",
    );

    const checks = [
      { label: "tokens signed in Node = tokens in the sent emails", ok: matching === total, detail: `${matching} / ${total} (open + ${messages[0].clicks.length} links × ${EMAILS} emails)` },
      { label: "every pixel answered the 42-byte GIF, every click a 302 to its link", ok: hits.o > 0 && hits.c > 0, detail: `${hits.o} pixels, ${hits.c} clicks` },
      { label: "opens recorded = pixel hits", ok: drained.value.o === hits.o, detail: `${drained.value.o} / ${hits.o}` },
      { label: "clicks recorded = click hits", ok: drained.value.c === hits.c, detail: `${drained.value.c} / ${hits.c}` },
      { label: "events carry their contact and message", ok: attributed === drained.value.o + drained.value.c, detail: `${attributed} / ${drained.value.o + drained.value.c}` },
      { label: "every email's first open is on the message", ok: opened === EMAILS, detail: `${opened} / ${EMAILS}` },
    ];
    const pending = hits.o + hits.c - before.o - before.c;
    return {
      unit: "requests/s",
      candidates: [
        { label: "GET /o/TOKEN pixel (Tern)", short: "pixel", ...results.pixel },
        { label: "GET /c/TOKEN click 302 (Tern)", short: "click", ...results.click },
      ],
      extra: [
        { label: "GET /healthz (Tern, no work)", ...results.healthz },
        { label: "GET /o/TOKEN via Miniflare's assets router", ...results.pixelViaAssets },
      ],
      baseline: { label: "bare Hono route (same workerd)", ...results.bare },
      notes: [
        `the TRACK consumer ran during the rounds (in this workerd, so its D1 writes load every side); ${pending} hits were still queued when they ended, all recorded ${(drained.ms / 1000).toFixed(1)} s later`,
        ...(results.pixel.cpuMsPerOp != null && results.healthz.cpuMsPerOp != null
          ? [
              `/healthz costs workerd ${results.healthz.cpuMsPerOp.toFixed(2)} ms CPU per request vs ${results.bare.cpuMsPerOp.toFixed(2)} for the bare route: Tern's app and middleware are not the gap; ` +
                `pixel/click cost ${(results.pixel.cpuMsPerOp - results.healthz.cpuMsPerOp).toFixed(2)}/${(results.click.cpuMsPerOp - results.healthz.cpuMsPerOp).toFixed(2)} ms more: ` +
                `the token check, one TRACK.send per hit (locally a call into Miniflare's queue broker, a Durable Object in this workerd) and the consumer's D1 writes`,
            ]
          : []),
        `flags: ${flags.map((f) => `${f.name.replace("Email ", "").toLowerCase()} ${f.flag} ${f.n}`).join(", ")} (opens within 5 s of sending count as machine opens, a burst across links as bot clicks: the bench clicks every link at once)`,
        ...(Math.max(...load) > 0.75
          ? [`load average ${load.map((l) => (l * 100).toFixed(0) + "%").join(" → ")} of the cores: other processes competed for the CPU, rates are noisy (the ratios and CPU ms/op less so)`]
          : []),
      ],
      checks,
    };
  },
};
