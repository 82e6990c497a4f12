/**
 * Liquid templates for emails: sandboxed rendering (no file system, no prototype access, no globals, output
 * HTML-escaped by default), parse-once caching, the personalisation model, and the responsive base layout.
 *
 * @example
 * const problems = validateTemplate(template);            // [] when it can be saved
 * const email = await renderEmail(template, model, layout); // { subject, preheader, html, text }
 */
import { Liquid, type Template } from "liquidjs";
import { escapeHtml as esc, htmlToText } from "./html-text";

export interface TemplateSource {
  subject: string;
  preheader: string;
  html: string;
  text: string | null;
  layout: "default" | "none";
}

/** Everything a template can read. Only this object is visible: no env, no other contacts. */
export interface RenderModel {
  contact: Record<string, unknown>;
  event?: Record<string, unknown>;
  campaign?: { id: number; name: string };
  flow?: { id: number; name: string };
  store: { name: string; address: string; website: string; logo_url: string; brand_color: string; currency: string };
  unsubscribe_url: string;
  preferences_url: string;
  view_in_browser_url: string;
  /** ISO time of rendering (templates must not read the clock themselves) */
  now: string;
}

export interface RenderedEmail {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

export interface TemplateProblem {
  field: keyof TemplateSource;
  message: string;
}

const LIMITS = { parseLimit: 500_000, memoryLimit: 20_000_000 };

function engine(escape: boolean): Liquid {
  const liquid = new Liquid({
    templates: {}, // no include/render/layout can reach a file or another template
    strictFilters: true,
    ownPropertyOnly: true,
    outputEscape: escape ? "escape" : undefined,
    ...LIMITS,
  });
  const dateFilter = liquid.filters.date as (this: unknown, ...args: unknown[]) => string;
  liquid.registerFilter("money", function (this: { context: { environments: any } }, value: unknown, currency?: string) {
    const env = this.context.environments as Partial<RenderModel>;
    return formatMoney(value, currency || env.store?.currency || "USD", (env.contact?.locale as string | undefined) || "en-US");
  });
  // Dates in the contact's own time zone: "{{ event.timestamp | local_date: '%B %-d' }}".
  liquid.registerFilter("local_date", function (this: any, value: unknown, format?: string) {
    const tz = (this.context.environments as Partial<RenderModel>).contact?.timezone;
    return dateFilter.call(this, value, format || "%B %-d, %Y", typeof tz === "string" && tz ? tz : "UTC");
  });
  return liquid;
}

const htmlEngine = engine(true);
const textEngine = engine(false);

// A formatter costs ~30 µs to build and an email formats a dozen prices; the locale comes from contact data, so
// the cache is capped.
const moneyFormats = new Map<string, Intl.NumberFormat | null>();

export function formatMoney(value: unknown, currency: string, locale: string): string {
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) return "";
  const key = `${locale} ${currency.toUpperCase()}`;
  let format = moneyFormats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(locale, { style: "currency", currency: currency.toUpperCase() });
    } catch {
      format = null;
    }
    if (moneyFormats.size >= 300) moneyFormats.clear();
    moneyFormats.set(key, format);
  }
  return format ? format.format(n) : `${n.toFixed(2)} ${currency}`;
}

// Parsing is the expensive part; a sending Worker renders the same few templates thousands of times.
const cache = new Map<string, Template[]>();
const CACHE_SIZE = 300;

function parse(liquid: Liquid, source: string, key: string): Template[] {
  const hit = cache.get(key);
  if (hit) return hit;
  const parsed = liquid.parse(source);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, parsed);
  return parsed;
}

const parseHtml = (source: string) => parse(htmlEngine, source, `h:${source}`);
const parseText = (source: string) => parse(textEngine, source, `t:${source}`);

function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/, file:.*$/s, "").split("\n")[0]!.slice(0, 300);
}

/** Checks that every part parses and renders against a sample contact; returns the problems found. */
export async function validateTemplate(t: TemplateSource, sample: RenderModel): Promise<TemplateProblem[]> {
  const problems: TemplateProblem[] = [];
  const parts: [keyof TemplateSource, string | null, boolean][] = [
    ["subject", t.subject, false],
    ["preheader", t.preheader, false],
    ["html", t.html, true],
    ["text", t.text, false],
  ];
  for (const [field, source, html] of parts) {
    if (!source) continue;
    try {
      const parsed = html ? parseHtml(source) : parseText(source);
      (html ? htmlEngine : textEngine).renderSync(parsed, sample);
    } catch (err) {
      problems.push({ field, message: describe(err) });
    }
  }
  if (!t.subject.trim()) problems.push({ field: "subject", message: "a subject is required" });
  return problems;
}

export class RenderError extends Error {
  constructor(
    readonly field: keyof TemplateSource,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Renders a template for one recipient. Throws RenderError (never anything else), naming the failing field.
 * Rendering is synchronous: every filter is, there is no file system, and liquidjs's async path (as bundled for
 * Workers) costs several times more per message (measured by the render benchmark).
 */
export async function renderEmail(t: TemplateSource, model: RenderModel): Promise<RenderedEmail> {
  const part = (field: keyof TemplateSource, fn: () => string): string => {
    try {
      return fn();
    } catch (err) {
      throw new RenderError(field, describe(err));
    }
  };
  const subject = oneLine(part("subject", () => textEngine.renderSync(parseText(t.subject), model)));
  const preheader = oneLine(part("preheader", () => textEngine.renderSync(parseText(t.preheader), model)));
  const body = part("html", () => htmlEngine.renderSync(parseHtml(t.html), model));
  const html = t.layout === "none" ? body : baseLayout(body, preheader, model);
  const text = t.text ? part("text", () => textEngine.renderSync(parseText(t.text!), model)) : htmlToText(html);
  return { subject, preheader, html, text: t.text ? withFooterText(text, model) : text };
}

/** Subjects and preheaders are single header-safe lines. */
const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, " ").replace(/\s{2,}/g, " ").trim().slice(0, 300);


/** The unsubscribe footer is part of every marketing email, also when the author wrote the text part. */
function withFooterText(text: string, m: RenderModel): string {
  if (text.includes(m.unsubscribe_url)) return text;
  return `${text.trimEnd()}\n\n--\n${m.store.name}${m.store.address ? `, ${m.store.address}` : ""}\nUnsubscribe: ${m.unsubscribe_url}\nPreferences: ${m.preferences_url}\n`;
}

/**
 * A responsive, table-based layout that holds up in Gmail, Outlook and Apple Mail: 600 px wide on desktop, full
 * width on phones, a hidden preheader, the store's logo or name, and a footer with the postal address and the
 * unsubscribe and preference links (CAN-SPAM, RFC 8058's visible counterpart).
 */
export function baseLayout(body: string, preheader: string, m: RenderModel): string {
  const s = m.store;
  const color = /^#[0-9a-f]{6}$/i.test(s.brand_color) ? s.brand_color : "#2563eb";
  const header = s.logo_url
    ? `<img src="${esc(s.logo_url)}" alt="${esc(s.name)}" height="40" style="height:40px;border:0;outline:none;display:block;margin:0 auto">`
    : `<span style="font-size:20px;font-weight:700;color:#111827">${esc(s.name)}</span>`;
  const link = (href: string, label: string) => `<a href="${esc(href)}" style="color:#6b7280;text-decoration:underline">${label}</a>`;
  return `<!doctype html>
<html lang="en" xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light">
<title>${esc(s.name)}</title>
<style>
  body{margin:0;padding:0;background:#f3f4f6;-webkit-text-size-adjust:100%}
  a{color:${color}}
  img{max-width:100%;height:auto}
  .tern-body p{margin:0 0 16px}
  @media only screen and (max-width:620px){ .tern-container{width:100%!important} .tern-pad{padding:24px 20px!important} }
</style>
</head>
<body style="margin:0;padding:0;background:#f3f4f6">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;color:#f3f4f6">${esc(preheader)}${"&#847;&zwnj;&nbsp;".repeat(30)}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f4f6">
<tr><td align="center" style="padding:24px 12px">
<!--[if mso]><table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
<table role="presentation" class="tern-container" width="600" cellpadding="0" cellspacing="0" border="0" style="width:600px;max-width:600px">
<tr><td align="center" style="padding:8px 0 20px">${header}</td></tr>
<tr><td class="tern-pad tern-body" style="background:#ffffff;border-radius:8px;padding:32px 40px;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.6;color:#1f2937">
${body}
</td></tr>
<tr><td style="padding:24px 16px;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:12px;line-height:1.6;color:#6b7280;text-align:center">
<p style="margin:0 0 8px">${esc(s.name)}${s.address ? ` &middot; ${esc(s.address)}` : ""}</p>
<p style="margin:0">${link(m.unsubscribe_url, "Unsubscribe")} &middot; ${link(m.preferences_url, "Email preferences")} &middot; ${link(m.view_in_browser_url, "View in browser")}</p>
</td></tr>
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr>
</table>
</body>
</html>`;
}

/** A realistic made-up recipient, for validation at save time and for previews without a real contact. */
export function sampleModel(store: RenderModel["store"], now: string): RenderModel {
  return {
    contact: { email: "jamie@example.com", first_name: "Jamie", last_name: "Rivera", timezone: "America/New_York", locale: "en-US", country: "US" },
    event: {
      checkout_id: "chk_1001",
      value: 84,
      currency: store.currency,
      products: [
        { product_id: "p1", name: "Stoneware mug", price: 28, quantity: 2, url: "https://example.com/p1", image_url: "https://example.com/p1.jpg" },
        { product_id: "p2", name: "Linen tea towel", price: 14, quantity: 2, url: "https://example.com/p2", image_url: "https://example.com/p2.jpg" },
      ],
    },
    store,
    unsubscribe_url: "https://example.com/u/sample",
    preferences_url: "https://example.com/p/sample",
    view_in_browser_url: "https://example.com/v/sample",
    now,
  };
}
