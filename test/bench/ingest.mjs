/**
 * Figure: events/s accepted by POST /v1/batch (100-event Segment batches), as a ratio of a raw batched INSERT
 * of the same event rows into the same local D1. Target: ≥ 0.5.
 *
 * What each side pays, per batch of 100 Segment messages:
 * - candidate: Node's HTTP client → workerd's socket → Miniflare's entry router → the assets router (the
 *   /v1/* rule sends it on to the Worker, as in production) → Tern: rate limit, write-key check (cached),
 *   body read + JSON parse, zod validation of each message, identity planning, and its three D1 round trips
 *   (lookups; contact inserts when a batch brings new users; one atomic batch of events, contact updates,
 *   aliases, catalog upserts and order totals).
 * - baseline: the same HTTP client → the same socket and entry router → a bare Worker (no framework) that
 *   parses a JSON array of the rows Tern would write to `events` for those messages, and inserts them in one
 *   D1 batch of 10-row `INSERT OR IGNORE` statements (10 columns × 10 rows = the 100-parameter limit) — the
 *   statement Tern itself uses. Identify calls write no event row, so a 100-message batch is ~90 rows.
 * Both sides therefore pay the same HTTP hop into workerd and one request's worth of JSON parsing; the ratio
 * is the price of everything Tern does beyond storing the rows. Both count 100 events per batch.
 *
 * The rows are literally the same: the baseline inserts each batch's rows under its own `source`, so the
 * (source, message_id) unique index neither rejects them nor makes them cheaper. Sides alternate round by
 * round on the same, growing database. Warm-up batches create the few hundred contacts first, so the figure
 * is the steady state of a shop whose customers are known (new contacts cost one more round trip).
 */
import { batchBody, eventValue, segmentTraffic } from "./lib/segment.mjs";
import { alternate, postJson } from "./lib/load.mjs";
import { createWriteKey, startTern } from "./lib/harness.mjs";
import { cpuMs, loadPerCore } from "./lib/cpu.mjs";

const BATCH = 100;
const USERS = 300;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const ROUNDS = 12;
const PER_ROUND = Math.ceil(Number(process.env.BENCH_BATCHES ?? 240) / ROUNDS / CONCURRENCY) * CONCURRENCY; // 20: whole waves
const WARMUP_ROUNDS = 2;
const BASELINE_SOURCE = "bench-baseline";

const EVENT_INSERT = "INSERT OR IGNORE INTO events (contact_id, type, name, properties, value, occurred_at, received_at, source, message_id, context)";

// A bare Worker: no router, no validation; just the rows into D1 the cheapest sound way.
const baselineWorker = `
const HEAD = ${JSON.stringify(EVENT_INSERT)};
const ROW = "(" + Array(10).fill("?").join(",") + ")";
export default {
  async fetch(request, env) {
    const rows = await request.json();
    const statements = [];
    for (let i = 0; i < rows.length; i += 10) {
      const part = rows.slice(i, i + 10);
      statements.push(env.DB.prepare(HEAD + " VALUES " + Array(part.length).fill(ROW).join(",")).bind(...part.flat()));
    }
    await env.DB.batch(statements);
    return Response.json({ success: true });
  },
};`;

/** The `events` rows Tern writes for these messages, with the columns and JSON it stores. */
function eventRows(messages, receivedAt) {
  return messages
    .filter((m) => m.type === "track")
    .map((m) => [
      m.user.index + 1, m.type, m.event, JSON.stringify(m.properties), eventValue(m), Date.parse(m.timestamp), receivedAt,
      BASELINE_SOURCE, m.messageId, JSON.stringify(m.context),
    ]);
}

function jobs(traffic, count) {
  return Array.from({ length: count }, () => {
    const now = Date.now();
    const messages = traffic.batch(BATCH, now);
    const rows = eventRows(messages, now);
    return { body: batchBody(messages), rows: JSON.stringify(rows), tracks: rows.length, users: messages.map((m) => m.user.userId) };
  });
}

export default {
  name: "ingest",
  title: "POST /v1/batch, 100-event Segment batches, vs raw batched INSERT of the same rows",
  target: 0.5,

  async run({ log }) {
    const tern = await startTern({
      extraWorkers: [{ name: "bench-baseline", modules: true, script: baselineWorker, compatibilityDate: "2026-04-01", routes: ["*/__bench/*"] }],
    });
    const auth = await createWriteKey(tern.url);
    log(`Tern at ${tern.url}, write key for source "${auth.source}"`);

    const traffic = segmentTraffic({ seed: 42, users: USERS });
    const sent = { tracks: 0, rows: 0, users: new Set() };
    const candidate = {
      send: async (job) => {
        const res = await postJson(`${tern.url}/v1/batch`, job.body, { authorization: auth.authorization });
        if (res?.success !== true) throw new Error(`unexpected response ${JSON.stringify(res)}`);
        sent.tracks += job.tracks;
        for (const u of job.users) sent.users.add(u);
      },
    };
    const baseline = {
      send: async (job) => {
        await postJson(`${tern.url}/__bench/events`, job.rows);
        sent.rows += job.tracks;
      },
    };

    // The same batches for both sides, round by round.
    const rounds = (n) => Array.from({ length: n }, () => jobs(traffic, PER_ROUND));
    const load = [loadPerCore()];
    log(`warming up: ${WARMUP_ROUNDS} rounds of ${PER_ROUND} batches per side (creates the ${USERS} contacts)`);
    const warm = rounds(WARMUP_ROUNDS);
    await alternate({ sides: { candidate: { ...candidate, jobs: warm }, baseline: { ...baseline, jobs: warm } }, rounds: WARMUP_ROUNDS, concurrency: CONCURRENCY });

    const measured = rounds(ROUNDS);
    log(`measuring: ${ROUNDS} alternating rounds of ${PER_ROUND} batches per side, ${CONCURRENCY} concurrent clients`);
    const results = await alternate({
      sides: { candidate: { ...candidate, jobs: measured }, baseline: { ...baseline, jobs: measured } },
      rounds: ROUNDS,
      concurrency: CONCURRENCY,
      cpuMs: tern.workerdPid ? () => cpuMs(tern.workerdPid) : undefined,
    });
    load.push(loadPerCore());

    // Every accepted event must be stored: nothing dropped, nothing double-counted.
    const d1 = await tern.d1();
    const count = async (sql, ...args) => (await d1.prepare(sql).bind(...args).first()).n;
    const stored = await count("SELECT count(*) AS n FROM events WHERE source = ?", auth.source);
    const storedBaseline = await count("SELECT count(*) AS n FROM events WHERE source = ?", BASELINE_SOURCE);
    const contacts = await count("SELECT count(*) AS n FROM contacts");
    const checks = [
      { label: "events stored by /v1/batch = track events sent", ok: stored === sent.tracks, detail: `${stored} / ${sent.tracks}` },
      { label: "contacts = distinct users sent", ok: contacts === sent.users.size, detail: `${contacts} / ${sent.users.size}` },
      { label: "baseline rows stored = rows sent", ok: storedBaseline === sent.rows, detail: `${storedBaseline} / ${sent.rows}` },
    ];

    return {
      unit: "events/s",
      candidate: { label: "POST /v1/batch (Tern)", perOp: BATCH, ...results.candidate },
      baseline: { label: "raw INSERT batch (bare Worker)", perOp: BATCH, ...results.baseline },
      notes: [
        `the baseline writes ${Math.round((100 * sent.rows) / ((WARMUP_ROUNDS + ROUNDS) * PER_ROUND * BATCH))}% of events as rows (identify calls store no event): ` +
          `${Math.round((results.baseline.perSecond * sent.rows) / ((WARMUP_ROUNDS + ROUNDS) * PER_ROUND))} rows/s`,
        ...(Math.max(...load) > 0.75
          ? [`load average ${load.map((l) => (l * 100).toFixed(0) + "%").join(" → ")} of the cores: other processes competed for the CPU, rates are noisy (the ratio and CPU ms/op less so)`]
          : []),
      ],
      checks,
    };
  },
};
