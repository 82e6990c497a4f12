/**
 * /o/TOKEN (open pixel), /c/TOKEN (click redirect) and /v/TOKEN (view in browser). Tokens are verified with
 * HMAC alone; hits are handed to the TRACK queue after the response, so the hot path does no D1 write.
 */
import { Hono } from "hono";
import { withCampaignContent } from "../campaigns/content";
import { verifyToken } from "../core/tokens";
import type { AppEnv, Env } from "../env";
import { linkKey } from "../delivery/links";
import { publicBase } from "../delivery/model";
import { compose } from "../delivery/send";
import type { TrackHit } from "../delivery/track";
import { loadForSend } from "../store/messages";
import { getSettings } from "../store/settings";
import { getTemplate } from "../store/templates";
import { randomToken } from "../store/random";
import { esc, htmlResponse, page } from "./pages";
import { clientIp } from "./ratelimit";

export const track = new Hono<AppEnv>();

const GIF = Uint8Array.from(atob("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"), (c) => c.charCodeAt(0));
const NO_CACHE = { "Cache-Control": "no-store, no-cache, must-revalidate, private, max-age=0", Pragma: "no-cache", Expires: "0" };

export const invalidLink = () =>
  htmlResponse(page("Link not valid", `<h1>This link is not valid</h1><p>It may have been copied incompletely. Please use the link from the email again.</p>`, null), 404);

function hitOf(req: Request, kind: "o" | "c", messageId: string): TrackHit {
  return { t: kind, h: randomToken(9), m: messageId, at: Date.now(), ua: (req.headers.get("user-agent") ?? "").slice(0, 300), ip: clientIp(req), method: req.method };
}

// Hits are packed: one queue message per 100 hits or per 200 ms, instead of one per request (a queue send costs
// more CPU than the whole pixel response). Each request keeps the isolate alive until its hit has been sent.
const PACK = 100;
let pending: TrackHit[] = [];
let flush: Promise<void> | null = null;

function record(env: Env, ctx: ExecutionContext, hit: TrackHit): void {
  pending.push(hit);
  if (pending.length >= PACK) {
    const hits = pending;
    pending = [];
    ctx.waitUntil(env.TRACK.send({ hits }));
    return;
  }
  flush ??= (async () => {
    await scheduler.wait(200);
    const hits = pending;
    pending = [];
    flush = null;
    if (hits.length) await env.TRACK.send({ hits });
  })();
  ctx.waitUntil(flush);
}

/**
 * The open pixel (/o/TOKEN) and the click redirect (/c/TOKEN), GET or HEAD: link scanners often use HEAD; they
 * are recorded (HEAD marks a bot) and answered like anyone else. The hottest requests Tern answers, so the Worker's
 * fetch hands them here before the router and its middleware: a GIF and a redirect need neither. Returns null
 * for any other request.
 */
export async function trackingHit(req: Request, env: Env, ctx: ExecutionContext): Promise<Response | null> {
  const url = req.url;
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const kind = url[start + 1];
  if ((kind !== "o" && kind !== "c") || url[start + 2] !== "/") return null;
  if (req.method !== "GET" && req.method !== "HEAD") return null;
  const end = url.search(/[?#]/);
  const raw = url.slice(start + 3, end === -1 ? undefined : end);
  if (!raw || raw.includes("/")) return null;
  let token: string | null;
  try {
    token = decodeURIComponent(raw);
  } catch {
    token = null; // malformed percent-encoding: not a token of ours
  }
  const payload = token ? await verifyToken(await linkKey(env), token, kind, Date.now()) : null;
  if (kind === "o") {
    if (!payload?.m) return new Response("Not found", { status: 404, headers: NO_CACHE });
    record(env, ctx, hitOf(req, "o", payload.m));
    return new Response(GIF, { headers: { "Content-Type": "image/gif", "X-Content-Type-Options": "nosniff", ...NO_CACHE } });
  }
  if (!payload?.m || !payload.u || !/^https?:\/\//i.test(payload.u)) return invalidLink();
  record(env, ctx, { ...hitOf(req, "c", payload.m), u: payload.u, l: payload.l ?? 0 });
  return new Response(null, { status: 302, headers: { Location: payload.u, ...NO_CACHE, "Referrer-Policy": "no-referrer" } });
}

/** The email as a web page, rendered again for its recipient (links keep working, nothing is tracked). */
track.get("/v/:token", async (c) => {
  const key = await linkKey(c.env);
  const payload = await verifyToken(key, c.req.param("token"), "v", Date.now());
  if (!payload?.m) return invalidLink();
  const [m] = await loadForSend(c.env.DB, [payload.m], 0);
  const template = m ? withCampaignContent((await getTemplate(c.env.DB, m.templateId)) ?? undefined, m) : null; // the variant's preheader
  const settings = await getSettings(c.env.DB);
  if (!m || !template || (!m.email && !m.toEmail)) {
    return htmlResponse(page("Email not available", `<h1>This email is no longer available</h1><p>${esc(settings.store.name)} may have removed it.</p>`, settings), 404);
  }
  const email = await compose({ ...m, trackOpens: 0, trackClicks: 0 }, template, settings, key, publicBase(settings), Date.now());
  return new Response(email.html, {
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "private, no-store", "Content-Security-Policy": "default-src 'none'; img-src * data:; style-src 'unsafe-inline'", "Referrer-Policy": "no-referrer" },
  });
});
