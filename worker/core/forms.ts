/**
 * Signup forms: the definition an owner edits (zod), the submission a visitor posts (a zod schema built per
 * form), and the pure rules around them: allowed origins, safe redirect-back URLs, consent versions, the
 * minimum fill time. No I/O here; the HTTP layer and worker/forms/ call these.
 *
 * @example
 * const def = formDefinitionSchema.parse({ topics: [{ key: "newsletter" }] });
 * const result = submissionSchema(def).safeParse(await req.json()); // issues at "email", "fields.first_name"…
 */
import { z } from "zod";
import { sha256Hex } from "./crypto";
import { normalizeBirthday, normalizeEmail } from "./contact";

/** The hidden field bots fill in and people never see. */
export const HONEYPOT = "tern_website";
/** A submission faster than this after the form was rendered is a bot: accepted, not stored. */
export const MIN_FILL_MS = 2000;
/** A render stamp older than this is refused (the visitor reloads the page). */
export const STAMP_MAX_AGE_MS = 7 * 86_400_000;
/** A confirmation link is valid this long. */
export const CONFIRM_TTL_MS = 7 * 86_400_000;
/** At most one confirmation email per contact within this time. */
export const CONFIRM_RESEND_MS = 10 * 60_000;

export const FIELD_TYPES = ["email", "text", "number", "checkbox", "select", "date", "tel"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Fields with a fixed meaning: they become contact columns. Any other key is a custom property. */
const STANDARD_FIELDS: Record<string, FieldType> = { email: "email", first_name: "text", last_name: "text", birthday: "date", phone: "tel" };
// Submission keys and trait names that a custom field must not take over.
const RESERVED_KEYS = new Set([
  "topics", "page_url", "stamp", "redirect_to", "turnstile_token", HONEYPOT, "id", "user_id", "userid", "external_id", "anonymous_id",
  "anonymousid", "properties", "email_address", "name", "full_name", "firstname", "lastname",
]);

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** https anywhere; plain http only for a local development host. */
export function isWebUrl(value: string): URL | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  if (url.protocol === "https:" || (url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname))) return url;
  return null;
}

const webUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => v === "" || isWebUrl(v) !== null, "an https:// URL (http:// only for localhost)");

/** `https://shop.example` — scheme, host and port only; a trailing slash is forgiven. */
const originSchema = z
  .string()
  .trim()
  .max(200)
  .transform((v, ctx) => {
    const url = isWebUrl(v);
    if (!url || url.pathname !== "/" || url.search || url.hash || v.endsWith("#") || v.endsWith("?")) {
      ctx.addIssue({ code: "custom", message: "an origin such as https://shop.example (no path)" });
      return z.NEVER;
    }
    return url.origin;
  });

const optionSchema = z.union([
  z.string().trim().min(1).max(100).transform((v) => ({ value: v, label: v })),
  z.object({ value: z.string().trim().min(1).max(100), label: z.string().trim().min(1).max(200) }),
]);

export const fieldSchema = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, "lower-case letters, digits and _, starting with a letter (at most 40)"),
  type: z.enum(FIELD_TYPES),
  label: z.string().trim().min(1).max(200),
  placeholder: z.string().trim().max(200).default(""),
  required: z.boolean().default(false),
  options: z.array(optionSchema).max(50).default([]),
});
export type FormField = z.infer<typeof fieldSchema>;

const hex = z.string().regex(/^#[0-9a-fA-F]{6}$/, "a colour like #1f6feb");

export const formDefinitionSchema = z
  .object({
    title: z.string().trim().max(200).default("Join our newsletter"),
    description: z.string().trim().max(1000).default(""),
    fields: z.array(fieldSchema).min(1).max(20).default([{ key: "email", type: "email", label: "Email", placeholder: "", required: true, options: [] }]),
    /** one topic: implied; several: checkboxes, each preselected or not */
    topics: z
      .array(z.object({ key: z.string().trim().min(1).max(64), label: z.string().trim().max(100).default(""), preselected: z.boolean().default(false) }))
      .min(1, "offer at least one topic")
      .max(20),
    topicsLabel: z.string().trim().max(200).default("I'd like to hear about"),
    /** shown with the form and stored verbatim, with its version, on every subscription it leads to */
    consentText: z.string().trim().max(2000).default("You can unsubscribe at any time with the link in every email."),
    privacyUrl: webUrl.default(""),
    /** shown after a submission; empty: a default that says whether to check the inbox */
    successMessage: z.string().trim().max(1000).default(""),
    /** where the visitor goes after a submission instead of the message */
    redirectUrl: webUrl.default(""),
    confirmation: z
      .object({
        /** the confirmation email; null: a default template is created on first use */
        templateId: z.number().int().positive().nullable().default(null),
        /** where the visitor goes after confirming, instead of the thank-you page */
        redirectUrl: webUrl.default(""),
      })
      .prefault({}),
    style: z
      .object({
        accentColor: hex.default("#2563eb"),
        buttonText: z.string().trim().min(1).max(60).default("Subscribe"),
        /** stacked: one field per row; inline: fields and button side by side */
        layout: z.enum(["stacked", "inline"]).default("stacked"),
      })
      .prefault({}),
    display: z
      .object({
        mode: z.enum(["inline", "popup", "slide_in"]).default("inline"),
        /** popup and slide-in appear on the first of these that is set: a delay, a scroll depth, exit intent */
        delaySeconds: z.number().int().min(0).max(600).default(0),
        scrollPercent: z.number().int().min(0).max(100).default(0),
        exitIntent: z.boolean().default(false),
        /** after being closed, not shown again for this many days in that browser (0: every page view) */
        hideForDays: z.number().int().min(0).max(365).default(7),
      })
      .prefault({}),
    /** sites allowed to post the form from the browser (CORS) and to receive the HTML form's redirect back */
    allowedOrigins: z.array(originSchema).max(20).default([]),
    turnstile: z
      .object({ enabled: z.boolean().default(false), siteKey: z.string().trim().max(100).regex(/^[A-Za-z0-9_-]*$/, "a Turnstile site key").default("") })
      .prefault({}),
  })
  .superRefine((def, ctx) => {
    const seen = new Set<string>();
    def.fields.forEach((f, i) => {
      const at = (path: string, message: string) => ctx.addIssue({ code: "custom", path: ["fields", i, path], message });
      if (seen.has(f.key)) at("key", "another field has this key");
      seen.add(f.key);
      const fixed = STANDARD_FIELDS[f.key];
      if (fixed && f.type !== fixed) at("type", `the ${f.key} field is of type ${fixed}`);
      if (!fixed && f.type === "email") at("type", "only the email field has type email");
      if (RESERVED_KEYS.has(f.key)) at("key", "this key is reserved");
      if (f.type === "select" && !f.options.length) at("options", "a select field needs options");
    });
    if (!def.fields.some((f) => f.key === "email")) ctx.addIssue({ code: "custom", path: ["fields"], message: "the form needs an email field" });
    const keys = def.topics.map((t) => t.key);
    if (new Set(keys).size !== keys.length) ctx.addIssue({ code: "custom", path: ["topics"], message: "a topic is listed twice" });
    if (def.turnstile.enabled && !def.turnstile.siteKey) ctx.addIssue({ code: "custom", path: ["turnstile", "siteKey"], message: "Turnstile needs a site key" });
  })
  // The email field is always required, whatever the input said.
  .transform((def) => ({ ...def, fields: def.fields.map((f) => (f.key === "email" ? { ...f, required: true } : f)) }));

export type FormDefinition = z.infer<typeof formDefinitionSchema>;

/** The version of a consent text: the first 16 hex digits of its SHA-256, so a wording change is visible. */
export async function consentVersion(text: string): Promise<string> {
  return (await sha256Hex(text)).slice(0, 16);
}

/** Whether a browser on `origin` may post this form (its own host always may: the hosted page). */
export function originAllowed(def: Pick<FormDefinition, "allowedOrigins">, origin: string | null | undefined, self: string): boolean {
  if (!origin) return false;
  return origin === self || def.allowedOrigins.includes(origin);
}

/**
 * The page to send a visitor back to after a plain HTML post: `redirect_to` or the Referer, and only when its
 * origin is one of the form's allowed origins (never an open redirect). The outcome rides in the fragment.
 */
export function backUrl(def: Pick<FormDefinition, "allowedOrigins">, candidates: (string | null | undefined)[], outcome: string): string | null {
  for (const candidate of candidates) {
    if (!candidate) continue;
    const url = isWebUrl(candidate);
    if (!url || !def.allowedOrigins.includes(url.origin)) continue;
    url.hash = `tern-form=${encodeURIComponent(outcome)}`;
    return url.href;
  }
  return null;
}

/** When a render stamp says the form appeared: ok, too fast (a bot), missing/foreign, or too old. */
export function fillTime(renderedAt: number | null, now: number): "ok" | "too_fast" | "missing" | "expired" {
  if (renderedAt === null) return "missing";
  if (now - renderedAt < MIN_FILL_MS) return "too_fast";
  if (now - renderedAt > STAMP_MAX_AGE_MS) return "expired";
  return "ok";
}

/** A bot filled in the hidden field. */
export function isHoneypotFilled(body: unknown): boolean {
  if (!body || typeof body !== "object") return false;
  const v = (body as Record<string, unknown>)[HONEYPOT];
  return v !== undefined && v !== null && v !== "" && v !== false;
}

export function defaultSuccessMessage(doubleOptIn: boolean): string {
  return doubleOptIn ? "Almost done: please check your inbox and click the link to confirm your subscription." : "Thanks for subscribing!";
}

// ---------------------------------------------------------------------------------------------------------------
// Submissions

export interface Submission {
  email: string;
  /** field values by key (first_name, birthday, custom…), ready for mapTraits */
  traits: Record<string, string | number | boolean>;
  topics: string[];
  pageUrl: string | null;
  stamp: string | null;
  turnstileToken: string | null;
  redirectTo: string | null;
}

const optionalText = (max: number) => z.string().max(max, `at most ${max} characters`).optional();
// Names and other one-line values never carry line breaks or control characters (they end up in headers).
const oneLine = (s: string) => s.replace(/[\x00-\x1f\x7f]+/g, " ").trim();
const TEXT_MAX: Record<string, number> = { first_name: 100, last_name: 100, phone: 50 };
const phoneRe = /^\+?[0-9 ().-]{3,50}$/;
const dateRe = /^\d{4}-\d{2}-\d{2}$/;
const TRUE = new Set([true, "true", "on", "1", "yes"]);
const FALSE = new Set([false, "false", "off", "0", "no", ""]);

type Check = { ok: true; value: string | number | boolean | undefined } | { ok: false; message: string };

/** One field's value: coerced from JSON or form text, or a reason it is not acceptable. */
function fieldValue(f: FormField, raw: unknown): Check {
  const blank = raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "");
  if (f.type === "checkbox") {
    const on = raw === undefined || raw === null ? false : TRUE.has(raw as string | boolean) ? true : FALSE.has(raw as string | boolean) ? false : null;
    if (on === null) return { ok: false, message: "must be true or false" };
    if (f.required && !on) return { ok: false, message: "Please tick this box" };
    return { ok: true, value: on };
  }
  if (blank) return f.required ? { ok: false, message: f.type === "select" ? "Please choose an option" : "Please fill in this field" } : { ok: true, value: undefined };
  if (f.type === "number") {
    const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.length <= 30 ? Number(raw.trim()) : NaN;
    return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: "Please enter a number" };
  }
  if (typeof raw !== "string") return { ok: false, message: "must be text" };
  const max = TEXT_MAX[f.key] ?? 500;
  if (raw.length > max) return { ok: false, message: `at most ${max} characters` };
  const text = oneLine(raw);
  if (f.type === "select") return f.options.some((o) => o.value === text) ? { ok: true, value: text } : { ok: false, message: "Please choose one of the options" };
  if (f.type === "tel") return phoneRe.test(text) ? { ok: true, value: text } : { ok: false, message: "Please enter a phone number" };
  if (f.type === "date") {
    if (f.key === "birthday") {
      const day = normalizeBirthday(text);
      return day ? { ok: true, value: day } : { ok: false, message: "Please enter a date like 1990-04-23" };
    }
    return dateRe.test(text) && !Number.isNaN(Date.parse(text)) ? { ok: true, value: text } : { ok: false, message: "Please enter a date like 2026-04-23" };
  }
  return { ok: true, value: text };
}

/**
 * The schema of a submission to this form: `{ email, fields: { key: value }, topics: [keys], page_url, stamp,
 * turnstile_token, redirect_to }`. Issues are reported at `email`, `fields.KEY` and `topics`.
 */
export function submissionSchema(def: FormDefinition) {
  const offered = def.topics.map((t) => t.key);
  return z
    .object({
      email: z.string({ error: (i) => (i.input === undefined ? "Please enter your email address" : "must be text") }).max(320, "at most 320 characters"),
      fields: z.record(z.string().max(100), z.unknown(), { error: "must be an object of field values" }).optional(),
      topics: z.array(z.string().max(64), { error: "must be a list of topic keys" }).max(20).optional(),
      page_url: optionalText(2000),
      stamp: optionalText(1000),
      turnstile_token: optionalText(4096),
      redirect_to: optionalText(2000),
    }, { error: "expected a JSON object" })
    .transform((input, ctx): Submission => {
      const email = normalizeEmail(input.email);
      if (!email) ctx.addIssue({ code: "custom", path: ["email"], message: "Please enter a valid email address" });
      const traits: Submission["traits"] = {};
      for (const f of def.fields) {
        if (f.key === "email") continue;
        const check = fieldValue(f, input.fields?.[f.key]);
        if (!check.ok) ctx.addIssue({ code: "custom", path: ["fields", f.key], message: check.message });
        else if (check.value !== undefined) traits[f.key] = check.value;
      }
      let topics = offered.length === 1 ? offered : [...new Set(input.topics ?? [])];
      if (offered.length > 1) {
        if (topics.some((k) => !offered.includes(k))) ctx.addIssue({ code: "custom", path: ["topics"], message: "This form does not offer that topic" });
        else if (!topics.length) ctx.addIssue({ code: "custom", path: ["topics"], message: "Please choose at least one topic" });
      }
      topics = topics.filter((k) => offered.includes(k));
      return {
        email: email ?? "",
        traits,
        topics,
        pageUrl: input.page_url && isWebUrl(input.page_url) ? input.page_url : null,
        stamp: input.stamp || null,
        turnstileToken: input.turnstile_token || null,
        redirectTo: input.redirect_to || null,
      };
    });
}

/** A urlencoded post (the plain HTML form) in the shape of a JSON submission. */
export function fromFormData(def: FormDefinition, form: URLSearchParams): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const f of def.fields) {
    if (f.key === "email") continue;
    // an unticked checkbox is simply absent from a form post
    if (f.type === "checkbox") fields[f.key] = form.has(f.key) ? form.get(f.key) : false;
    else if (form.has(f.key)) fields[f.key] = form.get(f.key);
  }
  const get = (name: string) => form.get(name) ?? undefined;
  return {
    email: get("email"),
    fields,
    topics: form.getAll("topics"),
    page_url: get("page_url"),
    stamp: get("stamp"),
    turnstile_token: get("cf-turnstile-response") ?? get("turnstile_token"),
    redirect_to: get("redirect_to"),
    [HONEYPOT]: get(HONEYPOT),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// What the browser gets

export interface PublicForm {
  id: number;
  title: string;
  description: string;
  fields: Pick<FormField, "key" | "type" | "label" | "placeholder" | "required" | "options">[];
  topics: { key: string; label: string; preselected: boolean }[];
  topicsLabel: string;
  consentText: string;
  privacyUrl: string;
  accent: string;
  /** black or white, whichever reads better on the accent colour */
  accentText: string;
  buttonText: string;
  layout: "stacked" | "inline";
  mode: "inline" | "popup" | "slide_in";
  delay: number;
  scroll: number;
  exit: boolean;
  hide: number;
  turnstile: string | null;
  origins: string[];
}

/** The subset of a definition a browser may see (no template ids, no confirmation settings). */
export function publicForm(id: number, def: FormDefinition, topicNames: Map<string, string> = new Map()): PublicForm {
  return {
    id,
    title: def.title,
    description: def.description,
    fields: def.fields.map(({ key, type, label, placeholder, required, options }) => ({ key, type, label, placeholder, required, options })),
    topics: def.topics.map((t) => ({ key: t.key, label: t.label || topicNames.get(t.key) || t.key, preselected: t.preselected })),
    topicsLabel: def.topicsLabel,
    consentText: def.consentText,
    privacyUrl: def.privacyUrl,
    accent: def.style.accentColor,
    accentText: readableOn(def.style.accentColor),
    buttonText: def.style.buttonText,
    layout: def.style.layout,
    mode: def.display.mode,
    delay: def.display.delaySeconds,
    scroll: def.display.scrollPercent,
    exit: def.display.exitIntent,
    hide: def.display.hideForDays,
    turnstile: def.turnstile.enabled ? def.turnstile.siteKey : null,
    origins: def.allowedOrigins,
  };
}

/** #000 or #fff, by the WCAG relative luminance of a #rrggbb colour. */
export function readableOn(color: string): string {
  const channel = (i: number) => {
    const c = parseInt(color.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return (1.05 / (l + 0.05) >= (l + 0.05) / 0.05) ? "#ffffff" : "#000000";
}
