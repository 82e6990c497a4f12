/**
 * Figure: 10,000 contacts enter the prebuilt abandoned-cart flow on local workerd. Measured: (a) how long the
 * entries take, from the first ingest request to every run created and waiting at its first delay, and (b) how
 * late each due send is enqueued: the message's queued_at minus the wake time the run was given. Target: every
 * due send enqueued within 1 s of its due time. No baseline: the issue asks for absolute figures.
 *
 * The flow is installed through the API (POST /api/flows/prebuilt/abandoned_cart: its three templates, the
 * goal "Order Completed", re-entry after 7 days) and published with one change: its first wait is 1 minute
 * instead of 1 hour, so the due sends come during the figure. The storefront posts Segment batches to
 * /v1/batch (4 clients, 100 messages each: for each of 50 shoppers an identify with the email and a "Checkout
 * Started" with a value, a checkout id and line items); ingest forwards each checkout to that contact's
 * ContactJourney Durable Object (10,000 of them), which starts the run, arms its alarm and mirrors the run to
 * D1's flow_runs. A minute later each alarm fires: the run steps to the reminder's send node, which creates
 * the message (queued_at is stamped then) and puts it on SEND; the SEND consumer sends them to the outbox
 * meanwhile, as it would in production, so the alarms share the machine with it.
 *
 * Wake times are read from flow_runs.next_at while the runs wait (polled every second) and checked against
 * entered_at + 1 minute; the lateness of a send is its message's queued_at minus that time.
 */
import { performance } from "node:perf_hooks";
import { cpuMs, loadPerCore, machineNote } from "./lib/cpu.mjs";
import { benchSecret, setupOwner, startTern } from "./lib/harness.mjs";
import { drive, percentile, postJson } from "./lib/load.mjs";
import { rng } from "./lib/segment.mjs";
import { sqlClient, sqlWorker } from "./lib/shop.mjs";

/**
 * The issue's figure is 10,000. Known problem: on this machine the local workerd (wrangler 4.86's)
 * sometimes dies of a segmentation fault (signal 11; `BENCH_LOG=debug` shows it) while thousands of journeys are
 * being created: seen from 2,000 contacts up, never at 500, with open files (≤ 2,400) and memory (< 1 GB) far
 * from their limits. The figure then ends with "fetch failed". BENCH_FLOW_CONTACTS sets another count.
 */
const CONTACTS = Number(process.env.BENCH_FLOW_CONTACTS ?? 10_000);
const PER_BATCH = 50; // shoppers per /v1/batch request: an identify and a checkout each
const CONCURRENCY = 4;
const DELAY_MS = 60_000; // the flow's first wait, instead of 1 hour
const TARGET_MS = 1000;
/** Give up waiting (and report what arrived) after this long past the last due time. */
const GRACE_MS = Number(process.env.BENCH_FLOW_GRACE ?? 120_000);
const SITE = "https://juniperandpine.example";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const s1 = (ms) => (ms / 1000).toFixed(1);

function shoppers(count, seed = 5) {
  const random = rng(seed);
  const catalog = Array.from({ length: 40 }, (_, i) => ({ product_id: `p-${200 + i}`, name: `Stoneware piece no. ${i + 1}`, price: Math.round(800 + random() * 9000) / 100, url: `${SITE}/products/p-${200 + i}`, image_url: `https://cdn.juniperandpine.example/p-${200 + i}.jpg` }));
  return Array.from({ length: count }, (_, i) => {
    const products = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({ ...catalog[Math.floor(random() * catalog.length)], quantity: 1 + Math.floor(random() * 2) }));
    const value = Math.round(products.reduce((s, p) => s + p.price * p.quantity, 0) * 100) / 100;
    return {
      userId: `shopper_${100000 + i}`,
      email: `shopper.${i}@example.com`,
      firstName: ["Ada", "Ben", "Chloé", "Femi", "Greta", "Hiro"][i % 6],
      checkout: { checkout_id: `chk_${500000 + i}`, value, currency: "USD", checkout_url: `${SITE}/checkouts/chk_${500000 + i}`, products },
    };
  });
}

/** One Segment batch body: each shopper identified, then their checkout. */
function batchBody(people) {
  const now = Date.now();
  const batch = people.flatMap((p, i) => [
    { type: "identify", userId: p.userId, messageId: `id-${p.userId}`, timestamp: new Date(now - 2000 + i).toISOString(), traits: { email: p.email, firstName: p.firstName } },
    { type: "track", event: "Checkout Started", userId: p.userId, messageId: `co-${p.userId}`, timestamp: new Date(now - 1000 + i).toISOString(), properties: p.checkout },
  ]);
  return JSON.stringify({ batch, sentAt: new Date(now).toISOString() });
}

export default {
  name: "flows",
  title: `${CONTACTS.toLocaleString("en-US")} contacts enter the abandoned-cart flow (first wait 1 minute): entry time and lateness of the due sends`,
  target: null,

  async run({ log }) {
    const load = [loadPerCore()];
    const tern = await startTern({ extraWorkers: [sqlWorker], bindings: { TERN_SECRET: benchSecret() }, miniflareOptions: process.env.BENCH_LOG === "debug" ? { handleRuntimeStdio: (out, err) => (out.pipe(process.stdout), err.pipe(process.stderr)) } : {} });
    const sql = sqlClient(tern.url);
    const all = async (text, params) => (await sql.query(text, params)).results;
    const one = async (text, params) => (await all(text, params))[0];
    const api = await setupOwner(tern.url);
    log(`Tern at ${tern.url}`);

    await api("PATCH", "/api/settings", {
      store: { name: "Juniper and Pine", address: "12 Harbour Street, Portland, ME 04101, USA", website: SITE },
      sender: { fromName: "Juniper and Pine", fromEmail: "hello@juniperandpine.example" },
      sending: { publicUrl: "https://mail.juniperandpine.example", ratePerSecond: 1000, quietHours: false },
    });
    const installed = await api("POST", "/api/flows/prebuilt/abandoned_cart", undefined, 201);
    const draft = installed.draft;
    const firstWait = draft.nodes[draft.entry];
    if (firstWait?.type !== "delay") throw new Error(`the abandoned-cart flow no longer starts with a delay (${firstWait?.type})`);
    const originalWait = `${firstWait.duration.amount} ${firstWait.duration.unit}`;
    firstWait.duration = { amount: DELAY_MS / 60_000, unit: "minutes" };
    await api("PATCH", `/api/flows/${installed.id}`, { definition: draft });
    const flow = await api("POST", `/api/flows/${installed.id}/publish`, {});
    const sendNode = firstWait.next;
    const { key } = await api("POST", "/api/write-keys", { name: "Bench storefront" }, 201);
    const authorization = `Basic ${Buffer.from(`${key}:`).toString("base64")}`;
    log(`flow ${flow.id} "${flow.name}" live: ${draft.entry} (${originalWait} → 1 minute) → ${sendNode} → …`);

    // ---- entries ----
    const people = shoppers(CONTACTS);
    const jobs = [];
    for (let i = 0; i < people.length; i += PER_BATCH) jobs.push(people.slice(i, i + PER_BATCH));
    const cpu0 = cpuMs(tern.workerdPid);
    const start = Date.now();
    const t0 = performance.now();
    const wake = new Map(); // run id -> next_at seen while waiting at the first delay
    const seen = { polls: 0 };
    const poll = async () => {
      const rows = await all("SELECT id, next_at AS nextAt, entered_at AS enteredAt FROM flow_runs WHERE flow_id = ?1 AND status = 'waiting' AND node_id = ?2", [flow.id, draft.entry]);
      for (const r of rows) if (!wake.has(r.id)) wake.set(r.id, r);
      seen.polls++;
    };
    let polling = true;
    const poller = (async () => {
      while (polling) {
        await poll();
        await sleep(1000);
      }
    })();
    let resets = 0;
    const post = async (job) => {
      const body = batchBody(job);
      try {
        await postJson(`${tern.url}/v1/batch`, body, { authorization });
      } catch (err) {
        // A connection closed before any answer: send it again, as Segment's libraries do (messageIds dedupe;
        // the checks below prove every contact entered once). Counted and printed.
        if (!["ECONNRESET", "UND_ERR_SOCKET"].includes(err?.cause?.code) || resets++ > 20) throw err;
        await postJson(`${tern.url}/v1/batch`, body, { authorization });
      }
    };
    const ingest = await drive({ jobs, concurrency: CONCURRENCY, send: post });
    const ingestMs = performance.now() - t0;
    log(`${CONTACTS} checkouts ingested in ${s1(ingestMs)} s (${jobs.length} batches, p50 ${ingest.latencies.sort((a, b) => a - b)[Math.floor(jobs.length / 2)].toFixed(0)} ms)`);

    // Every run created and waiting (or already past its wait, if entering took longer than a minute).
    let runs;
    for (;;) {
      runs = await one("SELECT count(*) AS n, max(entered_at) AS last, min(entered_at) AS first FROM flow_runs WHERE flow_id = ?1", [flow.id]);
      if (runs.n >= CONTACTS || performance.now() - t0 > ingestMs + DELAY_MS + GRACE_MS) break;
      await sleep(500);
    }
    const entriesMs = runs.last - start;
    log(`${runs.n} runs created, the last ${s1(entriesMs)} s after the first request`);

    // ---- due sends ----
    const lastDue = runs.last + DELAY_MS;
    let msgs;
    for (;;) {
      msgs = await one("SELECT count(*) AS n, count(sent_at) AS sent FROM messages WHERE flow_id = ?1 AND flow_node_id = ?2", [flow.id, sendNode]);
      if (msgs.n >= runs.n || Date.now() > lastDue + GRACE_MS) break;
      if (Date.now() > lastDue) await sleep(1000);
      else await sleep(Math.min(5000, lastDue - Date.now() + 100));
      if (seen.polls % 10 === 0) log(`${msgs.n} of ${runs.n} reminders enqueued, ${msgs.sent} sent`);
    }
    polling = false;
    await poller;
    const cpu = cpuMs(tern.workerdPid) - cpu0;
    load.push(loadPerCore());

    const rows = await all(
      `SELECT r.id, r.entered_at AS enteredAt, m.queued_at AS queuedAt, m.sent_at AS sentAt
       FROM flow_runs r LEFT JOIN messages m ON m.flow_id = r.flow_id AND m.flow_node_id = ?2 AND m.contact_id = r.contact_id
       WHERE r.flow_id = ?1`,
      [flow.id, sendNode],
    );
    const mismatched = [...wake.values()].filter((w) => w.nextAt !== w.enteredAt + DELAY_MS);
    const late = rows.filter((r) => r.queuedAt !== null).map((r) => r.queuedAt - (wake.get(r.id)?.nextAt ?? r.enteredAt + DELAY_MS)).sort((a, b) => a - b);
    const missing = rows.length - late.length;
    const within = late.filter((x) => x <= TARGET_MS).length;
    const early = late.filter((x) => x < 0).length;
    const q = (p) => percentile(late, p);
    // Lateness over time: by the second in which the sends came due.
    const bySecond = new Map();
    for (const r of rows) {
      if (r.queuedAt === null) continue;
      const due = wake.get(r.id)?.nextAt ?? r.enteredAt + DELAY_MS;
      const sec = Math.floor((due - (runs.first + DELAY_MS)) / 10_000) * 10;
      const b = bySecond.get(sec) ?? [];
      b.push(r.queuedAt - due);
      bySecond.set(sec, b);
    }
    const timeline = [...bySecond].sort((a, b) => a[0] - b[0]).map(([sec, xs]) => {
      xs.sort((a, b) => a - b);
      return `+${sec} s: ${xs.length} due, p50 ${s1(percentile(xs, 0.5))} s, max ${s1(xs[xs.length - 1])} s`;
    });
    const sentRows = rows.filter((r) => r.sentAt !== null);
    const entryRate = (runs.n * 1000) / Math.max(1, entriesMs);

    const checks = [
      { label: "every contact entered the flow once", ok: runs.n === CONTACTS, detail: `${runs.n} runs for ${CONTACTS} checkouts` },
      { label: "every run's wake time is its entry + 1 minute", ok: mismatched.length === 0 && wake.size > 0, detail: `${wake.size} runs seen waiting, ${mismatched.length} with another wake time` },
      { label: "every due reminder was enqueued", ok: missing === 0, detail: `${late.length} of ${rows.length}${missing ? `, ${missing} missing ${s1(GRACE_MS)} s after the last due time` : ""}` },
      { label: "no reminder enqueued before its due time", ok: early === 0, detail: `${early} early` },
    ];
    return {
      lines: [
        `(a) entries: ${CONTACTS.toLocaleString("en-US")} checkouts through /v1/batch in ${s1(ingestMs)} s (${jobs.length} requests of ${PER_BATCH} identify + ${PER_BATCH} track, ${CONCURRENCY} clients, p50 ${percentile(ingest.latencies, 0.5).toFixed(0)} ms, p95 ${percentile(ingest.latencies, 0.95).toFixed(0)} ms); ` +
          `every run created and waiting ${s1(entriesMs)} s after the first request (${entryRate.toFixed(0)} entries/s; first run at ${s1(runs.first - start)} s)`,
        `(b) lateness of the ${late.length.toLocaleString("en-US")} due reminders (queued_at − wake time): p50 ${s1(q(0.5))} s, p90 ${s1(q(0.9))} s, p99 ${s1(q(0.99))} s, max ${s1(late[late.length - 1] ?? NaN)} s; ` +
          `${within.toLocaleString("en-US")} (${((100 * within) / Math.max(1, late.length)).toFixed(1)}%) within 1 s`,
        `lateness by when the sends came due (10 s buckets from the first): ${timeline.join("; ")}`,
        `the SEND consumer sent ${sentRows.length.toLocaleString("en-US")} of them to the outbox meanwhile; workerd CPU ${s1(cpu)} s over ${s1(Date.now() - start)} s (${((100 * cpu) / (Date.now() - start)).toFixed(0)}% of one core; workerd runs every isolate on one thread)`,
      ],
      limits: [
        { label: "p50 lateness of due sends", short: "lateness p50", value: q(0.5), target: TARGET_MS, unit: "ms" },
        { label: "p99 lateness of due sends", short: "p99", value: q(0.99), target: TARGET_MS, unit: "ms" },
        { label: "max lateness of due sends (target: every send within 1 s)", short: "max", value: late.length ? late[late.length - 1] : Infinity, target: TARGET_MS, unit: "ms" },
      ],
      notes: [
        `the flow's first wait is 1 minute instead of the prebuilt 1 hour (${originalWait}), so the due sends come within the figure; the rest of the flow is as installed`,
        ...(resets ? [`${resets} of the ${jobs.length} batch requests were sent again: workerd closed the connection before answering (the retry is deduplicated by messageId)`] : []),
        machineNote(load),
      ],
      checks,
    };
  },
};
