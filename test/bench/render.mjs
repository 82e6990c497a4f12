/**
 * Figure: time per message of what one send computes in Tern (compose(): signed links, the contact and render
 * model, renderEmail, rewriteLinks + withPixel, buildMessage) against liquidjs + nodemailer's MailComposer
 * building the same email, both in this Node process. Target: time ratio ≤ 1.0.
 *
 * Same template (lib/email.mjs: ~10 KB of HTML in Tern's layout, a loop over 4 products, 16 links, an
 * author-written text part), same recipients and data (stored as JSON text, parsed per message on both
 * sides), same messages per round; a warm-up first (JIT, parse caches), then rounds alternating the sides.
 *
 * - Tern: compose() from worker/delivery/send.ts, bundled by esbuild for Node with the package builds wrangler
 *   puts in the Worker (liquidjs's liquid.browser.mjs), as the send consumer calls it. Tracking on: it also
 *   signs one HMAC-SHA256 token per link (16) plus the pixel, and rewrites the links — work the baseline does
 *   not do. Tracking off is the like-for-like side: both judged.
 * - baseline: the same Liquid sources parsed once with liquidjs as Node loads it (its Node build; same
 *   options: HTML-escaped output, strict filters, own properties only; the same `money` filter), the layout
 *   markup written as Liquid, then
 *   `new MailComposer({...}).compile().build()` with the same headers (From/To names, Reply-To, Message-ID,
 *   List-Unsubscribe, List-Unsubscribe-Post, List-Id, X-Tern-Message-Id) and quoted-printable bodies.
 *   Its unsubscribe/preference/view links are precomputed data; Tern signs those 4 tokens per message.
 * A check proves like-for-like: Tern with tracking off and the baseline produce the same HTML and text.
 */
import { Liquid } from "liquidjs";
import MailComposer from "nodemailer/lib/mail-composer";
import { ternModules } from "./lib/bundle.mjs";
import { benchSecret } from "./lib/harness.mjs";
import { alternate } from "./lib/load.mjs";
import { recipients, STORE, TEMPLATE } from "./lib/email.mjs";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 720); // per side; 12 rounds of 60
const ROUNDS = 12;
const PER_ROUND = Math.ceil(MESSAGES / ROUNDS);
const WARMUP = 120;
const BASE = "https://mail.juniperandpine.example";
const HOST = new URL(BASE).host;
const TOPIC = { id: 3, key: "newsletter", name: "Newsletter" };
const CAMPAIGN = { id: 12, name: "Autumn picks" };

/**
 * The change this figure's profile points to, measured as a what-if (worker/core/template.ts as bundled for
 * this run only): render with liquidjs's renderSync — Tern's filters and tags are all synchronous and it has
 * no file system — and keep one Intl.NumberFormat per locale and currency instead of one per `money` call.
 * Wrangler bundles liquidjs's liquid.browser.mjs, whose async/await is compiled to generators + __awaiter:
 * its async render() allocates a promise per tag and output and is several times slower than renderSync().
 */

/** What the send consumer loads for a message (store/messages.ts loadForSend): the message and its contact. */
function messageRow(r, i, track) {
  return {
    id: `msg_${String(i).padStart(6, "0")}_bench`, status: "sending", kind: "marketing", claimedAt: 0, attempts: 0,
    contactId: 1000 + i, toEmail: null, templateId: 1,
    topicId: TOPIC.id, topicKey: TOPIC.key, topicName: TOPIC.name, campaignId: CAMPAIGN.id, campaignName: CAMPAIGN.name,
    flowId: null, flowName: null, flowNodeId: null, variant: null,
    data: JSON.stringify(r.event), trackOpens: track ? 1 : 0, trackClicks: track ? 1 : 0,
    email: r.contact.email, firstName: r.contact.firstName, lastName: r.contact.lastName, phone: null,
    timezone: r.contact.timezone, locale: r.contact.locale, country: r.contact.country, birthday: null,
    properties: JSON.stringify(r.contact.properties), contactStatus: "active", externalId: null, topicStatus: "subscribed", recentMarketing: 0,
  };
}

/** liquidjs + MailComposer, written the way an app using them would be: parse once, render, compose. */
function baselineSender(tern) {
  const options = { strictFilters: true, ownPropertyOnly: true };
  const html = new Liquid({ ...options, outputEscape: "escape" });
  const text = new Liquid(options);
  for (const liquid of [html, text]) {
    liquid.registerFilter("money", function (value, currency) {
      const env = this.context.environments;
      const n = typeof value === "string" ? Number(value) : value;
      if (typeof n !== "number" || !Number.isFinite(n)) return "";
      return new Intl.NumberFormat(env.contact?.locale || "en-US", { style: "currency", currency: (currency || env.store.currency).toUpperCase() }).format(n);
    });
  }
  // Tern's layout markup, with Liquid variables where Tern's layout interpolates the store and the links.
  const liquidStore = { name: "{{ store.name }}", address: "{{ store.address }}", website: "{{ store.website }}", logo_url: "{{ store.logo_url }}", brand_color: STORE.brandColor, currency: STORE.currency };
  const page = tern.baseLayout(TEMPLATE.html, "{{ preheader }}", {
    store: liquidStore, unsubscribe_url: "{{ unsubscribe_url }}", preferences_url: "{{ preferences_url }}", view_in_browser_url: "{{ view_in_browser_url }}",
  });
  const parsed = { subject: text.parse(TEMPLATE.subject), preheader: text.parse(TEMPLATE.preheader), html: html.parse(page), text: text.parse(TEMPLATE.text) };
  const store = { name: STORE.name, address: STORE.address, website: STORE.website, logo_url: STORE.logoUrl, brand_color: STORE.brandColor, currency: STORE.currency };
  const oneLine = (s) => s.replace(/\s+/g, " ").trim();

  return async function send(job, now) {
    const m = job.row;
    const props = JSON.parse(m.properties);
    const contact = { ...props, id: m.contactId, email: m.email, first_name: m.firstName, last_name: m.lastName, name: `${m.firstName} ${m.lastName}`, timezone: m.timezone, locale: m.locale, country: m.country };
    const model = { contact, event: JSON.parse(m.data), campaign: CAMPAIGN, store, ...job.links, now: new Date(now).toISOString() };
    const subject = oneLine(await text.render(parsed.subject, model));
    const preheader = oneLine(await text.render(parsed.preheader, model));
    const body = await html.render(parsed.html, { ...model, preheader });
    const plain = await text.render(parsed.text, model);
    const raw = await new MailComposer({
      from: { name: TEMPLATE.fromName, address: TEMPLATE.fromEmail },
      to: { name: contact.name, address: m.email },
      replyTo: TEMPLATE.replyTo,
      subject,
      text: plain,
      html: body,
      messageId: `<${m.id}@${HOST}>`,
      date: new Date(now),
      list: { unsubscribe: { url: job.links.unsubscribe_url, comment: null }, id: { url: `${TOPIC.key}.${HOST}`, comment: `${STORE.name}: ${TOPIC.name}` } },
      headers: { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "X-Tern-Message-Id": m.id },
      textEncoding: "quoted-printable",
    })
      .compile()
      .build();
    return { html: body, text: plain, raw: raw.toString() };
  };
}

const normalizeEntities = (s) => s.replace(/&#38;/g, "&amp;").replace(/&#60;/g, "&lt;").replace(/&#62;/g, "&gt;");

export default {
  name: "render",
  title: "render + links + MIME per message: Tern compose() vs liquidjs + nodemailer MailComposer, plain Node",
  target: 1.0,
  better: "lower",

  async run({ log }) {
    const tern = await ternModules();
    const key = await tern.tokenKey(benchSecret());
    const settings = tern.resolveSettings({
      store: { ...STORE, timezone: "America/New_York" },
      sender: { fromName: "", fromEmail: "", replyTo: "" },
      sending: { publicUrl: BASE, trackOpens: true, trackClicks: true },
    });
    const template = { id: 1, ...TEMPLATE, createdAt: 0, updatedAt: 0 };
    const now = Date.parse("2026-10-20T14:00:00Z");

    const people = recipients(200);
    const jobs = await Promise.all(
      people.map(async (r, i) => {
        const tracked = messageRow(r, i, true);
        const links = await tern.messageLinks(key, BASE, { id: tracked.id, contactId: tracked.contactId, topicId: tracked.topicId });
        return {
          tracked,
          row: messageRow(r, i, false),
          links: { unsubscribe_url: links.unsubscribe, preferences_url: links.preferences, view_in_browser_url: links.viewInBrowser },
        };
      }),
    );
    const baseline = baselineSender(tern);
    const sides = {
      tracked: { send: (job) => tern.compose(job.tracked, template, settings, key, BASE, now) },
      untracked: { send: (job) => tern.compose(job.row, template, settings, key, BASE, now) },
      baseline: { send: (job) => baseline(job, now) },
    };


    // Like-for-like proof, and what tracking adds, on the first message.
    const sample = jobs[0];
    const [t, u, b] = [await sides.tracked.send(sample), await sides.untracked.send(sample), await sides.baseline.send(sample)];
    const clicks = (t.html.match(/\/c\/[\w-]+\.[\w-]+/g) ?? []).length;
    const checks = [
      { label: "same HTML: Tern (tracking off) and liquidjs", ok: normalizeEntities(u.html) === b.html, detail: `${u.html.length} / ${b.html.length} chars` },
      { label: "same text part: Tern and liquidjs", ok: u.text === b.text, detail: `${u.text.length} / ${b.text.length} chars` },
      { label: "tracked HTML: every link signed, pixel added", ok: clicks === 16 && t.html.includes(`${BASE}/o/`), detail: `${clicks} click links, pixel ${t.html.includes(`${BASE}/o/`) ? "yes" : "no"}` },
      { label: "quoted-printable bodies on both sides", ok: /quoted-printable/i.test(u.raw) && /quoted-printable/i.test(b.raw), detail: `MIME ${u.raw.length} (Tern) / ${b.raw.length} (nodemailer) bytes` },
    ];

    const round = (r) => Array.from({ length: PER_ROUND }, (_, i) => jobs[(r * PER_ROUND + i) % jobs.length]);
    const warm = [Array.from({ length: WARMUP }, (_, i) => jobs[i % jobs.length])];
    log(`warming up: ${WARMUP} messages per side`);
    await alternate({ sides: Object.fromEntries(Object.entries(sides).map(([n, s]) => [n, { ...s, jobs: warm }])), rounds: 1, concurrency: 1 });
    log(`measuring: ${ROUNDS} alternating rounds of ${PER_ROUND} messages per side, one at a time`);
    const measured = Array.from({ length: ROUNDS }, (_, r) => round(r));
    const results = await alternate({ sides: Object.fromEntries(Object.entries(sides).map(([n, s]) => [n, { ...s, jobs: measured }])), rounds: ROUNDS, concurrency: 1 });
    const ms = (side) => side.ms / side.count;

    return {
      unit: "messages/s",
      per: "message",
      candidates: [
        { label: "Tern compose(), tracking on (as sent)", short: "tracking on", ...results.tracked },
        { label: "Tern compose(), tracking off (like-for-like)", short: "tracking off", ...results.untracked },
      ],
      baseline: { label: "liquidjs + nodemailer MailComposer", ...results.baseline },
      notes: [
        `Tern does more per message than the baseline: it signs ${4 + clicks} HMAC-SHA256 tokens with tracking on (4 with it off: unsubscribe, preferences, view, pixel), ` +
          `rewrites ${clicks} links and appends the pixel; the baseline is handed ready-made unsubscribe/preference/view URLs`,
        `tracking on − off: ${(ms(results.tracked) - ms(results.untracked)).toFixed(2)} ms per message (${clicks} click-token signatures, link rewriting, the pixel); ` +
          `Web Crypto in Node runs each HMAC as a thread-pool job, workerd computes it inline, so signing costs the Worker less than it costs Node here`,
        `both encode both bodies as quoted-printable and fold headers; ${(u.html.length / 1024).toFixed(1)} KB of HTML, ${(u.raw.length / 1024).toFixed(1)} KB of MIME ` +
          `(${(t.html.length / 1024).toFixed(1)} / ${(t.raw.length / 1024).toFixed(1)} KB with tracking: the signed URLs are long)`,
      ],
      checks,
    };
  },
};
