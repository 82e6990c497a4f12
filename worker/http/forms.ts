/**
 * /forms/* — public signup forms. `GET /forms/ID.js` the embeddable script, `GET /forms/ID` a hosted page,
 * `GET /forms/ID/stamp` a render stamp, `POST /forms/ID` a submission (JSON from the script, with CORS for the
 * form's allowed origins; urlencoded from a plain HTML form, answered with a redirect back or a hosted page),
 * and `/forms/confirm/TOKEN` for double opt-in (a GET shows a button, only the POST confirms: scanners prefetch).
 */
import { Hono, type Context } from "hono";
import { sha256Hex } from "../core/crypto";
import {
  backUrl, defaultSuccessMessage, fillTime, fromFormData, isHoneypotFilled, originAllowed, publicForm, submissionSchema, type FormDefinition,
} from "../core/forms";
import { verifyToken, type TokenPayload } from "../core/tokens";
import { linkKey } from "../delivery/links";
import type { AppEnv } from "../env";
import { confirmPage, formHtmlResponse, hostedFormPage, linkProblemPage, nothingToConfirmPage, resultPage, subscribedPage } from "../forms/pages";
import { chosenTopicsNeedConfirmation, FormUnavailableError, submit } from "../forms/service";
import { cachedSnippet, plainForm } from "../forms/snippet";
import { issueStamp, stampTime } from "../forms/stamp";
import { confirmPending, formSubscriptions, getForm, type FormRow } from "../forms/store";
import { verifyTurnstile } from "../forms/turnstile";
import { forwardToJourneys } from "../journeys/forward";
import { hit, type Limit } from "../store/ratelimit";
import { getSettings } from "../store/settings";
import { topicsByKey } from "../store/topics";
import { readBody } from "./body";
import { badRequest, HttpError, zodIssues } from "./errors";
import { clientIp, TokenBuckets } from "./ratelimit";

export const forms = new Hono<AppEnv>();

type ActiveForm = FormRow & { definition: FormDefinition };

const BODY_LIMIT = 16 * 1024;
// Per isolate first (cheap), then D1 windows that hold across isolates.
const submitBuckets = new TokenBuckets(1, 10);
const stampBuckets = new TokenBuckets(2, 30);
const confirmBuckets = new TokenBuckets(1, 10);
export const IP_LIMIT = { max: 30, windowSeconds: 600 };
export const EMAIL_LIMIT = { max: 5, windowSeconds: 3600 };

const ID = "/:id{[0-9]{1,12}}";
const selfOrigin = (c: Context) => new URL(c.req.url).origin;
const formPostRe = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i;

async function activeForm(c: Context<AppEnv>, id: number): Promise<ActiveForm> {
  const form = await getForm(c.env.DB, id);
  if (!form || !form.definition) throw new HttpError(404, "not_found", "No such form");
  if (form.status !== "active") throw new HttpError(410, "form_disabled", "This form no longer accepts signups");
  return form as ActiveForm;
}

/** CORS answer headers: the origin is echoed only when the form allows it. */
function corsHeaders(c: Context, def: FormDefinition | null | undefined): Record<string, string> {
  const origin = c.req.header("origin");
  return def && origin && originAllowed(def, origin, selfOrigin(c)) ? { "Access-Control-Allow-Origin": origin, Vary: "Origin" } : { Vary: "Origin" };
}

function throttle(buckets: TokenBuckets, req: Request, now: number): void {
  const wait = buckets.take(clientIp(req), now);
  if (wait) throw new HttpError(429, "rate_limited", "Too many requests: please wait a moment", undefined, { "Retry-After": String(wait) });
}

async function within(d1: D1Database, limit: Limit, now: number): Promise<void> {
  const state = await hit(d1, limit, now);
  if (!state.allowed) throw new HttpError(429, "rate_limited", "Too many signups: please try again later", undefined, { "Retry-After": String(state.retryAfter) });
}

// ---------------------------------------------------------------------------------------------------------------
// Confirmation (registered first: "confirm" is not a form id, but keep the intent obvious)

async function confirmToken(c: Context<AppEnv>): Promise<TokenPayload | "expired" | null> {
  // Verified without the clock first, so an expired link gets its own message.
  const payload = await verifyToken(await linkKey(c.env), c.req.param("token") ?? "", "f", 0);
  if (!payload || typeof payload.c !== "number" || typeof payload.t !== "number" || typeof payload.x !== "number") return null;
  return payload.x < Date.now() ? "expired" : payload;
}

forms.get("/confirm/:token", async (c) => {
  const [payload, settings] = await Promise.all([confirmToken(c), getSettings(c.env.DB)]);
  if (!payload || payload === "expired") return formHtmlResponse(linkProblemPage(settings, !!payload), payload ? 410 : 404);
  const state = await formSubscriptions(c.env.DB, payload.c!);
  if (!state) return formHtmlResponse(linkProblemPage(settings, false), 404);
  const pending = state.topics.filter((t) => t.status === "pending");
  if (pending.length) return formHtmlResponse(confirmPage(settings, state, pending));
  const subscribed = state.topics.filter((t) => t.status === "subscribed");
  return subscribed.length ? formHtmlResponse(subscribedPage(settings, subscribed)) : formHtmlResponse(nothingToConfirmPage(settings), 410);
});

forms.post("/confirm/:token", async (c) => {
  const now = Date.now();
  const settings = await getSettings(c.env.DB);
  if (confirmBuckets.take(clientIp(c.req.raw), now)) return formHtmlResponse(resultPage(settings, { ok: false, message: "Too many requests: please wait a moment." }), 429, { headers: { "Retry-After": "5" } });
  const payload = await confirmToken(c);
  if (!payload || payload === "expired") return formHtmlResponse(linkProblemPage(settings, !!payload), payload ? 410 : 404);
  const events = await confirmPending(c.env.DB, payload.c!, now);
  c.executionCtx.waitUntil(forwardToJourneys(c.env, events, now)); // a welcome flow starts here
  const state = await formSubscriptions(c.env.DB, payload.c!);
  const subscribed = state?.topics.filter((t) => t.status === "subscribed") ?? [];
  if (!subscribed.length) return formHtmlResponse(nothingToConfirmPage(settings), 410);
  const redirect = (await getForm(c.env.DB, payload.t!))?.definition?.confirmation.redirectUrl;
  return redirect ? c.redirect(redirect, 303) : formHtmlResponse(subscribedPage(settings, subscribed));
});

// ---------------------------------------------------------------------------------------------------------------
// The script, the hosted page, stamps

const JS_TYPE = "text/javascript; charset=utf-8";

forms.get("/:file{[0-9]{1,12}\\.js}", async (c) => {
  const id = Number(c.req.param("file").slice(0, -3));
  const form = await getForm(c.env.DB, id);
  if (!form?.definition || form.status !== "active") {
    return new Response(`/* Tern: form ${id} is not available */\n`, { status: 404, headers: { "Content-Type": JS_TYPE, "Cache-Control": "public, max-age=60" } });
  }
  const names = await topicNames(c.env.DB, form.definition);
  const version = `${form.updatedAt}:${[...names.values()].join("\u0000")}`;
  const etag = `W/"${id}-${await sha256Hex(`${version}:${selfOrigin(c)}`).then((h) => h.slice(0, 16))}"`;
  const headers = { "Content-Type": JS_TYPE, "Cache-Control": "public, max-age=300", ETag: etag };
  if (c.req.header("if-none-match") === etag) return new Response(null, { status: 304, headers });
  return new Response(cachedSnippet(publicForm(id, form.definition, names), selfOrigin(c), version), { headers });
});

async function topicNames(d1: D1Database, def: FormDefinition): Promise<Map<string, string>> {
  const topics = await topicsByKey(d1, def.topics.map((t) => t.key));
  return new Map([...topics].map(([key, t]) => [key, t.name]));
}

forms.get(`${ID}/stamp`, async (c) => {
  const now = Date.now();
  const form = await activeForm(c, Number(c.req.param("id")));
  const cors = corsHeaders(c, form.definition);
  throttle(stampBuckets, c.req.raw, now);
  return c.json({ stamp: await issueStamp(c.env, form.id, now) }, 200, { ...cors, "Cache-Control": "no-store" });
});

forms.get(ID, async (c) => {
  const now = Date.now();
  const settings = await getSettings(c.env.DB);
  let form: ActiveForm;
  try {
    form = await activeForm(c, Number(c.req.param("id")));
  } catch (err) {
    if (err instanceof HttpError) return formHtmlResponse(resultPage(settings, { ok: false, message: err.message }), err.status);
    throw err;
  }
  const [names, stamp] = await Promise.all([topicNames(c.env.DB, form.definition), issueStamp(c.env, form.id, now)]);
  const def = form.definition;
  const html = plainForm(publicForm(form.id, def, names), selfOrigin(c), { stamp });
  return formHtmlResponse(hostedFormPage(def.title || form.name, def.description, html, settings), 200, { turnstile: def.turnstile.enabled });
});

// ---------------------------------------------------------------------------------------------------------------
// Submissions

forms.options(ID, async (c) => {
  const form = await getForm(c.env.DB, Number(c.req.param("id")));
  const cors = corsHeaders(c, form?.definition);
  if (!cors["Access-Control-Allow-Origin"]) return c.body(null, 403, cors);
  return c.body(null, 204, { ...cors, "Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Max-Age": "600" });
});

type Outcome = { ok: true; message: string; redirect: string | null } | { ok: false; error: HttpError };

forms.post(ID, async (c) => {
  const html = formPostRe.test(c.req.header("content-type") ?? "");
  const back: { to: string | null } = { to: null };
  let form: ActiveForm | null = null;
  let outcome: Outcome;
  try {
    form = await activeForm(c, Number(c.req.param("id")));
    outcome = { ok: true, ...(await accept(c, form, html, back)) };
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    outcome = { ok: false, error: err };
  }
  return answer(c, form, html, outcome, back.to);
});

/** Checks and stores a submission; throws HttpError for anything the visitor must hear about. */
async function accept(c: Context<AppEnv>, form: ActiveForm, html: boolean, back: { to: string | null }): Promise<{ message: string; redirect: string | null }> {
  const now = Date.now();
  const def = form.definition;
  const origin = c.req.header("origin");
  if (origin && !originAllowed(def, origin, selfOrigin(c))) throw new HttpError(403, "origin_not_allowed", "This form does not accept signups from this website");
  throttle(submitBuckets, c.req.raw, now);
  await within(c.env.DB, { key: `form:ip:${clientIp(c.req.raw)}`, ...IP_LIMIT }, now);

  const raw = await readSubmission(c.req.raw, def, html);
  if (html && typeof raw.redirect_to === "string") back.to = raw.redirect_to;
  const success = async (topics: string[]) => ({
    message: def.successMessage || defaultSuccessMessage(await chosenTopicsNeedConfirmation(c.env.DB, topics)),
    redirect: def.redirectUrl || null,
  });
  // Bots hear the same answer as people, so they learn nothing to adapt to. Mistakes, though, are pointed out
  // before the fill time is judged: a person who was quick but made a typo should see the typo.
  const offered = def.topics.map((t) => t.key);
  if (isHoneypotFilled(raw)) return success(offered);
  const parsed = submissionSchema(def).safeParse(raw);
  if (!parsed.success) throw badRequest("Please check the highlighted fields", zodIssues(parsed.error));
  const sub = parsed.data;
  const verdict = await fillVerdict(c, form.id, sub.stamp, html, now);
  if (verdict === "bot") return success(sub.topics);
  await within(c.env.DB, { key: `form:email:${(await sha256Hex(sub.email)).slice(0, 32)}`, ...EMAIL_LIMIT }, now);
  const ip = c.req.header("cf-connecting-ip") ?? null;
  if (def.turnstile.enabled) await challenge(c, sub.turnstileToken, ip);
  try {
    // links in the email point where every other email link points (Settings → Sending), else to this host
    const base = (await getSettings(c.env.DB)).sending.publicUrl.replace(/\/+$/, "") || selfOrigin(c);
    const result = await submit(c.env, form, sub, { ip, userAgent: c.req.header("user-agent") ?? null, base, now });
    c.executionCtx.waitUntil(forwardToJourneys(c.env, result.events, now));
  } catch (err) {
    if (err instanceof FormUnavailableError) throw new HttpError(503, "form_unavailable", err.message);
    throw err;
  }
  return success(sub.topics);
}

/** Turnstile's verdict from siteverify: a failed challenge is the visitor's to retry, an outage is ours. */
async function challenge(c: Context<AppEnv>, token: string | null, ip: string | null): Promise<void> {
  const check = await verifyTurnstile(c.env, token, ip);
  if (check === "failed") throw new HttpError(400, "captcha_failed", "The anti-spam check failed: please try again", [{ path: "turnstile_token", message: "the challenge was not passed" }]);
  if (check === "unavailable") throw new HttpError(503, "captcha_unavailable", "The anti-spam check is not available right now: please try again later");
}

/**
 * Judges the render stamp. The script always sends one (it fetches it when the form appears); a plain HTML form
 * pasted into a page cannot, so its posts go without. A forged stamp or a submission within MIN_FILL_MS of the
 * render is a bot; a stamp older than a week asks for a reload.
 */
async function fillVerdict(c: Context<AppEnv>, formId: number, stamp: string | null, html: boolean, now: number): Promise<"person" | "bot"> {
  if (!stamp) {
    if (html) return "person";
    throw new HttpError(400, "stamp_required", "This form could not be checked: please try again", [
      { path: "stamp", message: `required: fetch GET /forms/${formId}/stamp when the form is shown and send its stamp` },
    ]);
  }
  const fill = fillTime(await stampTime(c.env, formId, stamp), now);
  if (fill === "expired") throw new HttpError(400, "form_expired", "This form has been open too long: please reload the page and try again");
  return fill === "ok" ? "person" : "bot"; // "missing" here means forged, or a stamp of another form
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** The body as a submission-shaped object (JSON as sent; form posts mapped by fromFormData). */
async function readSubmission(req: Request, def: FormDefinition, html: boolean): Promise<Record<string, unknown>> {
  const type = req.headers.get("content-type") ?? "";
  const bytes = await readBody(req, BODY_LIMIT);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw badRequest("The request body is not valid UTF-8");
  }
  if (html) {
    let form = new URLSearchParams(text);
    if (/^multipart\/form-data/i.test(type)) {
      try {
        const data = await new Request("http://form/", { method: "POST", headers: { "content-type": type }, body: bytes }).formData();
        form = new URLSearchParams([...data.entries()].filter((e): e is [string, string] => typeof e[1] === "string"));
      } catch {
        throw badRequest("The form data could not be read");
      }
    }
    return fromFormData(def, form);
  }
  if (!text.trim()) throw badRequest("The request body is empty; expected JSON");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest("The request body is not valid JSON");
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw badRequest("Expected a JSON object", [{ path: "", message: "expected an object" }]);
  return value as Record<string, unknown>;
}

/** JSON for the script (with CORS headers), or, for a plain HTML post, a redirect back or a hosted page. */
async function answer(c: Context<AppEnv>, form: ActiveForm | null, html: boolean, out: Outcome, redirectTo: string | null): Promise<Response> {
  const cors = corsHeaders(c, form?.definition);
  if (!html) {
    if (out.ok) return c.json({ ok: true, message: out.message, ...(out.redirect ? { redirect: out.redirect } : {}) }, 200, cors);
    const e = out.error;
    return c.json({ error: { code: e.code, message: e.message, ...(e.issues?.length ? { issues: e.issues.slice(0, 50) } : {}) } }, e.status, { ...cors, ...e.headers });
  }
  if (out.ok && out.redirect) return c.redirect(out.redirect, 303);
  const back = form ? backUrl(form.definition, [redirectTo, c.req.header("referer")], out.ok ? "subscribed" : `error-${out.error.code}`) : null;
  if (back) return c.redirect(back, 303);
  const settings = await getSettings(c.env.DB);
  if (out.ok) return formHtmlResponse(resultPage(settings, { ok: true, message: out.message }));
  return formHtmlResponse(resultPage(settings, { ok: false, message: out.error.message, issues: out.error.issues }), out.error.status, { headers: out.error.headers });
}
