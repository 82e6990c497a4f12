/**
 * /u/:token — unsubscribe. POST unsubscribes at once: RFC 8058 one-click from the mail client
 * (`List-Unsubscribe=One-Click`) or the button on the page. GET only shows the page, because mail scanners
 * prefetch links and must never unsubscribe anyone.
 *
 * /p/:token — the preference center: topics, frequency, a pause, name and birthday, unsubscribe from all, a
 * download of the person's data, and erasure confirmed by an emailed link. Tokens are signed and name one
 * contact; they cannot reach another.
 */
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { normalizeBirthday } from "../core/contact";
import { signToken } from "../core/tokens";
import { enqueueSends } from "../delivery/enqueue";
import { publicBase } from "../delivery/model";
import { journey } from "../journeys/forward";
import { eraseContact } from "../store/contacts";
import { exportContactData, loadPreferences, savePreferences } from "../store/preferences";
import { hit } from "../store/ratelimit";
import { systemTemplate } from "../store/system-templates";
import { zodIssues } from "./errors";
import { verifyToken, type TokenPayload } from "../core/tokens";
import type { AppEnv } from "../env";
import { linkKey } from "../delivery/links";
import { forwardToJourneys } from "../journeys/forward";
import { getSettings } from "../store/settings";
import { unsubscribe } from "../store/unsubscribe";
import { readBody } from "./body";
import { esc, htmlResponse, page } from "./pages";
import { maskEmail, preferencePage } from "./preference-pages";
import { clientIp, TokenBuckets } from "./ratelimit";

export const preferences = new Hono<AppEnv>();

const buckets = new TokenBuckets(5, 30);

/** Public POSTs are rate limited per address (a flood guard per isolate). */
const limitPosts: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === "POST") {
    const wait = buckets.take(clientIp(c.req.raw), Date.now());
    if (wait) return c.json({ error: { code: "rate_limited", message: "Too many requests" } }, 429, { "Retry-After": String(wait) });
  }
  return next();
};
preferences.use("/u/*", limitPosts);
preferences.use("/p/*", limitPosts);

async function payloadOf(c: Context<AppEnv>): Promise<TokenPayload | null> {
  const payload = await verifyToken(await linkKey(c.env), c.req.param("token") ?? "", "u", Date.now());
  return payload && typeof payload.c === "number" ? payload : null;
}


preferences.get("/u/:token", async (c) => {
  const payload = await payloadOf(c);
  const settings = await getSettings(c.env.DB);
  if (!payload) return htmlResponse(page("Link not valid", `<h1>This unsubscribe link is not valid</h1><p>Please use the link from the most recent email you received.</p>`, settings), 404);
  const row = await c.env.DB.prepare(
    "SELECT c.email, t.name AS topic FROM contacts c LEFT JOIN topics t ON t.id = ? WHERE c.id = ?",
  ).bind(payload.t ?? null, payload.c).first<{ email: string | null; topic: string | null }>();
  if (!row) return htmlResponse(page("Unsubscribed", `<h1>You will not hear from us</h1><p>This address is no longer on our lists.</p>`, settings));
  const who = row.email ? `<strong>${esc(maskEmail(row.email))}</strong>` : "you";
  const topicButton = row.topic ? `<button name="scope" value="topic">Unsubscribe from ${esc(row.topic)}</button>` : "";
  return htmlResponse(
    page(
      "Unsubscribe",
      `<h1>Unsubscribe</h1>
       <p>Stop emails from ${esc(settings.store.name)} to ${who}?</p>
       <form method="post"><div class="row">${topicButton}<button name="scope" value="all" class="${row.topic ? "secondary" : ""}">Unsubscribe from all marketing email</button></div></form>
       <p class="muted">Order confirmations and other emails about your purchases will still reach you.</p>`,
      settings,
    ),
  );
});

preferences.post("/u/:token", async (c) => {
  const payload = await payloadOf(c);
  if (!payload) return c.json({ error: { code: "invalid_token", message: "This unsubscribe link is not valid" } }, 404);
  const form = await formOf(c.req.raw);
  const oneClick = form.get("List-Unsubscribe") === "One-Click";
  const scope = form.get("scope") === "all" || !payload.t ? "all" : "topic";
  const now = Date.now();
  await unsubscribe(c.env.DB, { contactId: payload.c!, messageId: payload.m, topicId: payload.t, scope, via: oneClick ? "one-click" : "page" }, now);
  // flows exit on a full unsubscribe
  c.executionCtx.waitUntil(forwardToJourneys(c.env, [{ contactId: payload.c!, name: "Unsubscribed", properties: { scope, topic_id: payload.t ?? null }, occurredAt: now }], now));
  if (oneClick) return c.text("Unsubscribed", 200);
  const settings = await getSettings(c.env.DB);
  return htmlResponse(page("Unsubscribed", `<h1>You are unsubscribed</h1><p>You will not receive ${scope === "all" ? "marketing email" : "these emails"} from ${esc(settings.store.name)} any more.</p>`, settings));
});

/** Form fields of a POST body (urlencoded or multipart) of at most 8 KB; anything else is an empty form. */
async function formOf(req: Request): Promise<URLSearchParams> {
  const type = req.headers.get("content-type") ?? "";
  const text = new TextDecoder().decode(await readBody(req, 8192));
  if (type.includes("multipart/form-data")) {
    try {
      const data = await new Request(req.url, { method: "POST", headers: { "content-type": type }, body: text }).formData();
      return new URLSearchParams([...data.entries()].filter((e): e is [string, string] => typeof e[1] === "string"));
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(text);
}

// ---- preference center ----------------------------------------------------------------------------------

async function contactOf(c: Context<AppEnv>, kind: "p" | "e"): Promise<number | null> {
  const payload = await verifyToken(await linkKey(c.env), c.req.param("token") ?? "", kind, Date.now());
  return payload && typeof payload.c === "number" ? payload.c : null;
}

const invalidPreferences = async (c: Context<AppEnv>) =>
  htmlResponse(page("Link not valid", `<h1>This link is not valid</h1><p>Please open your preferences from the most recent email you received.</p>`, await getSettings(c.env.DB)), 404);

const gone = async (c: Context<AppEnv>) =>
  htmlResponse(page("Not found", `<h1>We have no data about you</h1><p>This address is not on our lists.</p>`, await getSettings(c.env.DB)), 404);

preferences.get("/p/:token", async (c) => {
  const id = await contactOf(c, "p");
  if (!id) return invalidPreferences(c);
  const [view, settings] = await Promise.all([loadPreferences(c.env.DB, id), getSettings(c.env.DB)]);
  if (!view) return gone(c);
  return htmlResponse(preferencePage(view, settings, c.req.param("token"), Date.now(), null));
});

const nameField = z.string().trim().max(100).transform((v) => v || null);
const preferenceForm = z.object({
  topic: z.array(z.string().max(64)).max(100).default([]),
  frequency: z.enum(["all", "weekly", "monthly"]).default("all"),
  pause: z.enum(["", "0", "30", "60", "90"]).default(""),
  first_name: nameField.default(""),
  last_name: nameField.default(""),
  birthday: z.string().max(20).default(""),
});

preferences.post("/p/:token", async (c) => {
  const id = await contactOf(c, "p");
  if (!id) return invalidPreferences(c);
  const form = await formOf(c.req.raw);
  const [view, settings] = await Promise.all([loadPreferences(c.env.DB, id), getSettings(c.env.DB)]);
  if (!view) return gone(c);
  const now = Date.now();
  const consent = { source: "preference_center", ip: clientIp(c.req.raw), userAgent: c.req.header("user-agent") ?? null, consentText: "chosen in the preference center" };
  let events;
  let notice: string | null;
  if (form.get("action") === "unsubscribe_all") {
    await unsubscribe(c.env.DB, { contactId: id, scope: "all", via: "preference_center" }, now);
    events = [{ contactId: id, name: "Unsubscribed", properties: { scope: "all", source: "preference_center" }, occurredAt: now }];
    notice = null; // the page itself says the person is unsubscribed
  } else {
    const parsed = preferenceForm.safeParse({ ...Object.fromEntries(form), topic: form.getAll("topic") });
    if (!parsed.success) return c.json({ error: { code: "invalid_request", message: "The form is not valid", issues: zodIssues(parsed.error) } }, 400);
    const f = parsed.data;
    const birthday = f.birthday ? normalizeBirthday(f.birthday) : null;
    if (f.birthday && !birthday) return htmlResponse(preferencePage(view, settings, c.req.param("token"), now, "That birthday is not a date; nothing was changed."), 400);
    events = await savePreferences(
      c.env.DB,
      view,
      { topics: f.topic, frequency: f.frequency, pauseDays: f.pause === "" ? null : Number(f.pause), firstName: f.first_name, lastName: f.last_name, birthday },
      consent,
      now,
    );
    notice = "Your preferences are saved.";
  }
  c.executionCtx.waitUntil(forwardToJourneys(c.env, events, now));
  const fresh = (await loadPreferences(c.env.DB, id))!;
  return htmlResponse(preferencePage(fresh, settings, c.req.param("token"), now, notice));
});

preferences.get("/p/:token/data.json", async (c) => {
  const id = await contactOf(c, "p");
  if (!id) return c.json({ error: { code: "invalid_token", message: "This link is not valid" } }, 404);
  const data = await exportContactData(c.env.DB, id);
  if (!data) return c.json({ error: { code: "not_found", message: "No data" } }, 404);
  return new Response(JSON.stringify(data, null, 2), {
    headers: { "Content-Type": "application/json; charset=utf-8", "Content-Disposition": 'attachment; filename="my-data.json"', "Cache-Control": "no-store" },
  });
});

const ERASE_TTL_MS = 48 * 3600_000;

/** Erasure is confirmed by an emailed link, so only the mailbox owner can delete the profile. */
preferences.post("/p/:token/erase", async (c) => {
  const id = await contactOf(c, "p");
  if (!id) return invalidPreferences(c);
  const settings = await getSettings(c.env.DB);
  const view = await loadPreferences(c.env.DB, id);
  if (!view?.contact.email) return gone(c);
  const now = Date.now();
  const limited = await hit(c.env.DB, { key: `erase:${id}`, max: 3, windowSeconds: 3600 }, now);
  if (limited.allowed) {
    const token = await signToken(await linkKey(c.env), { k: "e", c: id, x: now + ERASE_TTL_MS });
    const templateId = await systemTemplate(c.env.DB, "confirm_erasure", () => ERASURE_TEMPLATE, now);
    await enqueueSends(
      c.env,
      [{ idempotencyKey: `erase:${id}:${now}`, contactId: id, templateId, kind: "transactional", data: { confirm_url: `${publicBase(settings)}/p/erase/${token}` }, trackOpens: false, trackClicks: false }],
      now,
    );
  }
  return htmlResponse(page("Check your email", `<h1>Check your email</h1><p>We sent a link to ${esc(maskEmail(view.contact.email))}. Open it within 48 hours to delete your data.</p>`, settings));
});

preferences.get("/p/erase/:token", async (c) => {
  const id = await contactOf(c, "e");
  const settings = await getSettings(c.env.DB);
  if (!id) return htmlResponse(page("Link not valid", `<h1>This link is not valid or has expired</h1><p>Ask again from your email preferences.</p>`, settings), 404);
  return htmlResponse(
    page(
      "Delete your data",
      `<h1>Delete your data?</h1><p>This removes your profile, your history and your subscriptions at ${esc(settings.store.name)} for good. You will not receive email from us again.</p>
       <form method="post"><div class="row"><button>Delete my data</button></div></form>`,
      settings,
    ),
  );
});

preferences.post("/p/erase/:token", async (c) => {
  const id = await contactOf(c, "e");
  const settings = await getSettings(c.env.DB);
  if (!id) return htmlResponse(page("Link not valid", `<h1>This link is not valid or has expired</h1>`, settings), 404);
  await eraseContact(c.env.DB, id, Date.now());
  c.executionCtx.waitUntil(journey(c.env, id).erase());
  return htmlResponse(page("Deleted", `<h1>Your data is deleted</h1><p>We keep only a one-way fingerprint of your address, so that we never email it again.</p>`, settings));
});

const ERASURE_TEMPLATE = {
  name: "Confirm data erasure (system)",
  subject: "Confirm: delete your data at {{ store.name }}",
  preheader: "Open this link within 48 hours to delete your data.",
  html: `<h1 style="font-size:22px;margin:0 0 16px">Delete your data?</h1>
<p>Someone (hopefully you) asked us to delete everything {{ store.name }} holds about this address. To confirm, open the link below within 48 hours.</p>
<p><a href="{{ event.confirm_url }}" style="display:inline-block;padding:12px 20px;border-radius:6px;background:{{ store.brand_color }};color:#ffffff;text-decoration:none;font-weight:600">Yes, delete my data</a></p>
<p style="color:#6b7280;font-size:14px">If you did not ask for this, ignore this email: nothing will change.</p>`,
  text: null,
  layout: "default" as const,
  fromName: null,
  fromEmail: null,
  replyTo: null,
};
