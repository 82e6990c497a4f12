/** Helpers for the signup form tests: forms through the admin API, submissions as a browser would send them. */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { issueStamp } from "../../worker/forms/stamp";
import { call, json, type Admin } from "./helpers";

export const SHOP = "https://shop.example";

let ipSeq = 0;
/** A fresh client address per call, so the per-IP limits of one test never touch another. */
export const freshIp = () => `198.51.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

export async function createForm(a: Admin, body: Record<string, unknown>): Promise<{ id: number; [k: string]: any }> {
  const res = await a.fetch("/api/forms", { method: "POST", json: { name: "Form", allowedOrigins: [SHOP], ...body } });
  expect(res.status, await res.clone().text()).toBe(201);
  return json(res);
}

/** A stamp for a form shown `ago` ms before now (5 s by default: a person, not a bot). */
export const stamp = (formId: number, ago = 5000) => issueStamp(env, formId, Date.now() - ago);

/** Every answer from a public endpoint must be a deliberate one: never a 500 (a 503 must say why). */
export async function noServerError(res: Response): Promise<Response> {
  const text = await res.clone().text();
  expect(res.status, `unexpected ${res.status}: ${text}`).not.toBe(500);
  if (res.status >= 500) expect(text, `unexplained ${res.status}`).toMatch(/"code":"(form_unavailable|captcha_unavailable|not_configured)"/);
  return res;
}

export interface PostOptions {
  ip?: string;
  origin?: string | null;
  headers?: Record<string, string>;
}

/** A JSON submission from the embedded script on SHOP (with a valid stamp unless the body has one). */
export async function postJson(formId: number, body: unknown, opts: PostOptions = {}): Promise<Response> {
  const payload =
    body && typeof body === "object" && !Array.isArray(body) && !("stamp" in body) ? { ...body, stamp: await stamp(formId) } : body;
  return noServerError(
    await call(`/forms/${formId}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "cf-connecting-ip": opts.ip ?? freshIp(),
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0",
        ...(opts.origin === null ? {} : { origin: opts.origin ?? SHOP }),
        ...opts.headers,
      },
      body: typeof payload === "string" ? payload : JSON.stringify(payload),
    }),
  );
}

/** A plain HTML form post (urlencoded), as a browser sends it from a page on SHOP. */
export async function postForm(formId: number, fields: [string, string][] | string, opts: PostOptions & { referer?: string } = {}): Promise<Response> {
  return noServerError(
    await call(`/forms/${formId}`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "cf-connecting-ip": opts.ip ?? freshIp(),
        ...(opts.origin === null ? {} : { origin: opts.origin ?? SHOP }),
        ...(opts.referer ? { referer: opts.referer } : {}),
        ...opts.headers,
      },
      body: typeof fields === "string" ? fields : new URLSearchParams(fields).toString(),
    }),
  );
}

export const contactByEmail = (email: string) => env.DB.prepare("SELECT * FROM contacts WHERE email = ?").bind(email).first<any>();

export const subscriptionsOf = async (contactId: number) =>
  (
    await env.DB.prepare("SELECT s.*, t.key FROM subscriptions s JOIN topics t ON t.id = s.topic_id WHERE s.contact_id = ? ORDER BY t.key").bind(contactId).all<any>()
  ).results;

export const eventsOf = async (contactId: number, name: string) =>
  (await env.DB.prepare("SELECT properties FROM events WHERE contact_id = ? AND name = ? ORDER BY id").bind(contactId, name).all<{ properties: string }>()).results.map(
    (r) => JSON.parse(r.properties),
  );

export const messagesTo = async (contactId: number) =>
  (await env.DB.prepare("SELECT * FROM messages WHERE contact_id = ? ORDER BY queued_at").bind(contactId).all<any>()).results;

export async function until<T>(fn: () => Promise<T | null | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out waiting");
    await scheduler.wait(100);
  }
}

/** The confirmation email in the outbox, once the real queue consumer has sent it. */
export const confirmationEmail = (email: string) =>
  until(() => env.DB.prepare("SELECT * FROM outbox WHERE to_email = ? ORDER BY created_at DESC").bind(email).first<any>());

export const confirmPath = (text: string) => /\/forms\/confirm\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.exec(text)?.[0] ?? null;
