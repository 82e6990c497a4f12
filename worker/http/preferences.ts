/**
 * /u/:token — unsubscribe. POST unsubscribes at once: RFC 8058 one-click from the mail client
 * (`List-Unsubscribe=One-Click`) or the button on the page. GET only shows the page, because mail scanners
 * prefetch links and must never unsubscribe anyone.
 */
import { Hono, type Context } from "hono";
import { verifyToken, type TokenPayload } from "../core/tokens";
import type { AppEnv } from "../env";
import { linkKey } from "../delivery/links";
import { forwardToJourneys } from "../journeys/forward";
import { getSettings } from "../store/settings";
import { unsubscribe } from "../store/unsubscribe";
import { readBody } from "./body";
import { esc, htmlResponse, page } from "./pages";
import { clientIp, TokenBuckets } from "./ratelimit";

export const preferences = new Hono<AppEnv>();

const buckets = new TokenBuckets(5, 30);

async function payloadOf(c: Context<AppEnv>): Promise<TokenPayload | null> {
  const payload = await verifyToken(await linkKey(c.env), c.req.param("token") ?? "", "u", Date.now());
  return payload && typeof payload.c === "number" ? payload : null;
}

const maskEmail = (email: string) => email.replace(/^(.)(.*)(@.*)$/, (_, a: string, b: string, d: string) => `${a}${"•".repeat(Math.min(6, b.length))}${d}`);

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
  const wait = buckets.take(clientIp(c.req.raw), Date.now());
  if (wait) return c.json({ error: { code: "rate_limited", message: "Too many requests" } }, 429, { "Retry-After": String(wait) });
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
