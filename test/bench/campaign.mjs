/**
 * Figure: a 100,000-recipient campaign sent end to end to the outbox provider on local workerd. Target: all
 * sent in < 60 s. No baseline: the issue asks for the absolute time.
 *
 * Everything runs in the one workerd Miniflare starts, as in `npm run dev`: the admin API creates the topic,
 * the segment, the template and the campaign and schedules it "now"; the CAMPAIGNS queue consumer fans out
 * (pages of 1,000 recipients by contact id: createMessages + sendBatch onto SEND, at most 5,000 unsent ahead);
 * the SEND consumer (batches of 100, one batch at a time: Miniflare runs one consumer per queue) re-checks
 * consent, renders, builds MIME and hands each message to the outbox provider, which writes a batch's rows to
 * D1 together. The outbox is not paced (sending.ratePerSecond applies to real providers); quiet hours off; open
 * and click tracking on (as a campaign is sent).
 *
 * The contacts (100k, with an email, a country and a time zone) and their confirmed Newsletter subscriptions
 * are written with bulk SQL (lib/shop.mjs); the rest goes through the API. Timing starts at the schedule
 * request and ends when D1 says every message of the campaign is sent. Where the time went comes from the rows:
 * messages' queued_at (fan-out) and sent_at (sending), the campaign's started_at/finished_at, and a sample of
 * progress every second; workerd's CPU time tells CPU-bound from waiting.
 */
import { performance } from "node:perf_hooks";
import { cpuMs, loadPerCore, machineNote, threadCpuMs } from "./lib/cpu.mjs";
import { benchSecret, setupOwner, startTern } from "./lib/harness.mjs";
import { profiling, startProfile } from "./lib/profile.mjs";
import { contactRows, loadContacts, sqlClient, sqlWorker, subscribeAll } from "./lib/shop.mjs";

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const TARGET_S = 60;
/** Give up (and report the pace so far) after this long: a figure should stay within a few minutes. */
const TIMEOUT_S = Number(process.env.BENCH_CAMPAIGN_TIMEOUT ?? 180);
const SITE = "https://juniperandpine.example";
/** BENCH_PROFILE=port: take a CPU profile of Tern's isolate for PROFILE_MS of steady sending (costs some speed). */
const PROFILE_PORT = Number(process.env.BENCH_PROFILE ?? 0);
const PROFILE_MS = 20_000;

/** A shop's newsletter: a hero, three products, a story, personalised greeting; ~4 KB in Tern's layout. */
const TEMPLATE = {
  name: "Bench — autumn newsletter",
  subject: "{{ contact.first_name | default: 'Friends' }}, autumn is here at {{ store.name }}",
  preheader: "Three new things for slow mornings, and free shipping until Sunday.",
  layout: "default",
  html: `<h1 style="font-size:24px;margin:0 0 16px">Hello {{ contact.first_name | default: "there" }},</h1>
<p><a href="${SITE}/collections/autumn?ref=hero"><img src="https://cdn.juniperandpine.example/hero/autumn.jpg" alt="Autumn at Juniper and Pine" width="520" style="width:100%;max-width:520px;border-radius:8px"></a></p>
<p>The mornings are darker, the kettle is on more often, and we have spent the summer making three things we think you will reach for every day this season. Each is made in small batches by people we know by name.</p>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0">
<tr><td style="padding:12px 0;border-top:1px solid #e5e7eb"><a href="${SITE}/products/stoneware-mug">Stoneware mug</a><br><span style="color:#6b7280">Thrown by hand in Maine, glazed in juniper green.</span></td><td align="right" style="padding:12px 0;border-top:1px solid #e5e7eb">{{ 28 | money }}</td></tr>
<tr><td style="padding:12px 0;border-top:1px solid #e5e7eb"><a href="${SITE}/products/merino-throw">Merino wool throw</a><br><span style="color:#6b7280">Woven in Portugal from undyed wool.</span></td><td align="right" style="padding:12px 0;border-top:1px solid #e5e7eb">{{ 149 | money }}</td></tr>
<tr><td style="padding:12px 0;border-top:1px solid #e5e7eb"><a href="${SITE}/products/pour-over-set">Pour-over coffee set</a><br><span style="color:#6b7280">Glass, walnut and a paper filter that fits.</span></td><td align="right" style="padding:12px 0;border-top:1px solid #e5e7eb">{{ 56 | money }}</td></tr>
</table>
{% if contact.country == "US" %}<p><strong>Free shipping in the US until Sunday</strong>, on every order.</p>{% else %}<p><strong>Free shipping on orders over {{ 80 | money }}</strong> until Sunday.</p>{% endif %}
<p style="text-align:center;margin:24px 0"><a href="${SITE}/collections/autumn?ref=button" style="display:inline-block;padding:12px 22px;background:#2f6f4f;color:#fff;border-radius:6px;text-decoration:none">See the autumn collection</a></p>
<h2 style="font-size:18px;margin:24px 0 8px">From the journal</h2>
<p><a href="${SITE}/journal/pear-ginger-crumble">Pear and ginger crumble</a>, baked in the skillet we have used every day for six years, and a three-day loop through the White Mountains with the kit list we actually pack.</p>
<p>Warmly,<br>Maya and the team at {{ store.name }}</p>`,
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const s1 = (ms) => (ms / 1000).toFixed(1);

export default {
  name: "campaign",
  title: `a ${RECIPIENTS.toLocaleString("en-US")}-recipient campaign to the outbox, end to end on local workerd`,
  target: null,

  async run({ log }) {
    const load = [loadPerCore()];
    const tern = await startTern({ extraWorkers: [sqlWorker], bindings: { TERN_SECRET: benchSecret() }, ...(PROFILE_PORT ? profiling(PROFILE_PORT) : {}) });
    const sql = sqlClient(tern.url);
    const one = async (text, params) => (await sql.query(text, params)).results[0];
    const api = await setupOwner(tern.url);
    log(`Tern at ${tern.url}`);

    await api("PATCH", "/api/settings", {
      store: { name: "Juniper and Pine", address: "12 Harbour Street, Portland, ME 04101, USA", website: SITE, timezone: "America/New_York" },
      sender: { fromName: "Maya at Juniper and Pine", fromEmail: "hello@juniperandpine.example" },
      sending: { publicUrl: "https://mail.juniperandpine.example", ratePerSecond: 1000, quietHours: false, trackOpens: true, trackClicks: true },
    });
    const topic = await api("POST", "/api/topics", { key: "newsletter", name: "Newsletter", description: "News and offers", kind: "marketing", doubleOptIn: true }, 201);

    const now0 = Date.now();
    const t0 = performance.now();
    await loadContacts(sql, contactRows(RECIPIENTS, now0), now0);
    await subscribeAll(sql, topic.id, RECIPIENTS, now0);
    log(`${RECIPIENTS} contacts subscribed to "${topic.key}" in ${s1(performance.now() - t0)} s (bulk SQL)`);

    const segment = await api("POST", "/api/segments", { name: "Newsletter subscribers", definition: { type: "group", match: "all", conditions: [{ type: "topic", topic: "newsletter" }] } }, 201);
    const template = await api("POST", "/api/templates", TEMPLATE, 201);
    const campaign = await api("POST", "/api/campaigns", { name: "Autumn newsletter", templateId: template.id, topicId: topic.id, audience: { segments: [segment.id] }, schedule: { kind: "now" } }, 201);
    log(`segment ${segment.id} (${segment.size} contacts), template ${template.id}, campaign ${campaign.id}; scheduling it now`);

    // ---- send ----
    const cpu0 = cpuMs(tern.workerdPid);
    const threads0 = threadCpuMs(tern.workerdPid);
    const start = Date.now();
    const tStart = performance.now();
    await api("POST", `/api/campaigns/${campaign.id}/schedule`, {});
    const samples = [];
    let state;
    let profiler = null;
    let profile = null;
    for (;;) {
      await sleep(1000);
      if (PROFILE_PORT && !profiler && !profile && state?.sent > 2000) {
        profiler = { started: performance.now(), cpu: cpuMs(tern.workerdPid), session: await startProfile(`http://127.0.0.1:${PROFILE_PORT}`) };
        log("profiling Tern's isolate");
      }
      if (profiler && performance.now() - profiler.started > PROFILE_MS) {
        profile = { ...(await profiler.session.stop()), wallMs: performance.now() - profiler.started, cpuMs: cpuMs(tern.workerdPid) - profiler.cpu };
        profiler = null;
      }
      state = await one(
        `SELECT c.status, c.enqueued, c.total, (SELECT count(*) FROM messages m WHERE m.campaign_id = ?1 AND m.status = 'sent') AS sent,
                (SELECT count(*) FROM messages m WHERE m.campaign_id = ?1 AND m.status IN ('failed', 'suppressed', 'cancelled')) AS dropped
         FROM campaigns c WHERE c.id = ?1`,
        [campaign.id],
      );
      const t = performance.now() - tStart;
      samples.push({ t, enqueued: state.enqueued ?? 0, sent: state.sent, cpu: cpuMs(tern.workerdPid) - cpu0 });
      if (samples.length % 10 === 0) log(`${s1(t)} s: ${state.status}, ${state.enqueued}/${state.total} enqueued, ${state.sent} sent`);
      if (state.total && state.sent + state.dropped >= state.total && state.status === "sent") break;
      if (t > TIMEOUT_S * 1000) break;
    }
    const wallMs = performance.now() - tStart;
    const cpu = cpuMs(tern.workerdPid) - cpu0;
    const threads1 = threadCpuMs(tern.workerdPid);
    const perThread = Object.entries(threads1).map(([tid, t]) => [`${t.comm}/${tid}`, t.ms - (threads0[tid]?.ms ?? 0)]).filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1]);
    const done = state.status === "sent" && state.sent + state.dropped >= state.total;
    load.push(loadPerCore());

    // ---- where the time went ----
    const rows = await one(
      `SELECT min(queued_at) AS q0, max(queued_at) AS q1, min(sent_at) AS s0, max(sent_at) AS s1, count(*) AS n,
              count(*) FILTER (WHERE status = 'sent') AS sent, count(DISTINCT contact_id) AS contacts
       FROM messages WHERE campaign_id = ?1`,
      [campaign.id],
    );
    const c = await one("SELECT started_at AS startedAt, finished_at AS finishedAt, total FROM campaigns WHERE id = ?1", [campaign.id]);
    const outbox = await one("SELECT count(*) AS n, sum(length(raw)) AS raw, sum(length(html)) AS html FROM outbox");
    const sentEvents = await one("SELECT count(*) AS n FROM events WHERE name = 'Email Sent' AND source = 'email'");
    const sample = await one("SELECT o.raw FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.campaign_id = ?1 LIMIT 1", [campaign.id]);

    const totalS = done ? (rows.s1 - start) / 1000 : wallMs / 1000;
    const fanOutS = (rows.q1 - start) / 1000;
    const sendS = (rows.s1 - rows.s0) / 1000;
    const rate = (n, ms) => (n * 1000) / ms;
    // Steady sending pace: sent per second between 10% and 90% of the messages.
    const at = (f) => samples.find((s) => s.sent >= f * RECIPIENTS);
    const [p10, p90] = [at(0.1), at(0.9)];
    const steady = p10 && p90 && p90.t > p10.t ? rate(p90.sent - p10.sent, p90.t - p10.t) : rate(state.sent, wallMs);
    const projectedS = done ? totalS : RECIPIENTS / Math.max(1, rate(state.sent, wallMs));
    const timeline = samples.filter((_, i) => i % 10 === 9 || i === samples.length - 1).map((s) => `${s1(s.t)} s ${s.enqueued.toLocaleString("en-US")} enq / ${s.sent.toLocaleString("en-US")} sent`);

    const checks = [
      { label: "every recipient has one message", ok: rows.n === RECIPIENTS && rows.contacts === RECIPIENTS, detail: `${rows.n} messages for ${rows.contacts} contacts` },
      { label: "every message sent (none failed or suppressed)", ok: done && rows.sent === RECIPIENTS, detail: `${rows.sent} sent, ${state.dropped} dropped${done ? "" : `, stopped after ${TIMEOUT_S} s`}` },
      { label: "each sent message is in the outbox once", ok: outbox.n === rows.sent, detail: `${outbox.n} outbox rows` },
      { label: "each sent message recorded an Email Sent event", ok: sentEvents.n === rows.sent, detail: `${sentEvents.n} events` },
      { label: "outbox MIME carries List-Unsubscribe, one-click and tracked links", ok: !!sample && /List-Unsubscribe:/i.test(sample.raw) && /List-Unsubscribe-Post/i.test(sample.raw) && /\/c\//.test(sample.raw), detail: sample ? `${sample.raw.length} bytes of MIME` : "no message" },
    ];
    return {
      lines: [
        `total: ${done ? "" : "NOT DONE, "}${s1(totalS * 1000)} s from the schedule request to the last message sent (${rows.sent.toLocaleString("en-US")} messages, ${rate(rows.sent, totalS * 1000).toFixed(0)} messages/s overall)` +
          (done ? "" : `; at the pace so far all ${RECIPIENTS.toLocaleString("en-US")} would take about ${projectedS.toFixed(0)} s`),
        `fan-out (CAMPAIGNS queue: 1,000 recipients per page, createMessages + sendBatch): ${s1(fanOutS * 1000)} s for ${rows.n.toLocaleString("en-US")} messages, ${rate(rows.n, fanOutS * 1000).toFixed(0)}/s` +
          (c.finishedAt ? `; campaign finished (empty page) at ${s1(c.finishedAt - start)} s` : ""),
        `sending (SEND queue, batches of 100, one at a time): first at ${s1(rows.s0 - start)} s, last at ${s1(rows.s1 - start)} s: ${s1(sendS * 1000)} s, steady ${steady.toFixed(0)} messages/s (10%→90% of messages), ` +
          `${(1000 / steady).toFixed(2)} ms per message, ${((100 * 1000) / steady).toFixed(0)} ms per batch of 100`,
        `workerd CPU: ${s1(cpu)} s over ${s1(wallMs)} s of wall clock (${((100 * cpu) / wallMs).toFixed(0)}% of one core), ${(cpu / Math.max(1, rows.sent)).toFixed(2)} ms per message sent`,
        `workerd CPU by thread: ${perThread.map(([t, ms]) => `${t} ${s1(ms)} s`).join(", ")}`,
        `outbox: ${outbox.n.toLocaleString("en-US")} rows, ${((outbox.raw ?? 0) / outbox.n / 1024).toFixed(1)} KB of MIME + ${((outbox.html ?? 0) / outbox.n / 1024).toFixed(1)} KB of HTML each (${(((outbox.raw ?? 0) + (outbox.html ?? 0)) / 2 ** 20).toFixed(0)} MB written)`,
        `progress: ${timeline.join(", ")}`,
        ...(profile
          ? [
              `CPU profile of Tern's isolate over ${s1(profile.wallMs)} s of sending: ${s1(profile.totalMs)} s busy in Tern's isolate of ${s1(profile.cpuMs)} s workerd CPU ` +
                `(the rest: D1's SQLite, the queue broker, the runtime); top functions by self time:`,
              ...profile.self.slice(0, 25).map(([f, ms]) => `  ${(ms / 1000).toFixed(2).padStart(6)} s  ${((100 * ms) / profile.totalMs).toFixed(1).padStart(5)}%  ${f}`),
              "by inclusive time (named functions on the stack):",
              ...profile.inclusive.slice(0, 40).map(([f, ms]) => `  ${(ms / 1000).toFixed(2).padStart(6)} s  ${((100 * ms) / profile.totalMs).toFixed(1).padStart(5)}%  ${f}`),
            ]
          : []),
      ],
      limits: [{ label: "all sent, schedule request → last message", short: "campaign", value: done ? totalS : Infinity, target: TARGET_S, unit: "s", digits: 1 }],
      notes: [
        "the outbox provider is not paced; Miniflare runs one SEND consumer at a time in one isolate (on Cloudflare, max_concurrency and the provider's rate set the pace)",
        machineNote(load),
      ],
      checks,
    };
  },
};
