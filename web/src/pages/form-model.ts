/**
 * Signup forms in the admin: the API's shapes, the editable draft and its conversion to what the API stores,
 * and the browser config the embed script renders (the same fields `publicForm` in worker/core/forms builds).
 */
import type { Topic } from "../types";

// Mirrors formDefinitionSchema in worker/core/forms (importing it would pull the Worker's crypto into this build).
export type FieldType = "email" | "text" | "number" | "checkbox" | "select" | "date" | "tel";

export interface FormDefinition {
  title: string;
  description: string;
  fields: { key: string; type: FieldType; label: string; placeholder: string; required: boolean; options: { value: string; label: string }[] }[];
  topics: { key: string; label: string; preselected: boolean }[];
  topicsLabel: string;
  consentText: string;
  privacyUrl: string;
  successMessage: string;
  redirectUrl: string;
  confirmation: { templateId: number | null; redirectUrl: string };
  style: { accentColor: string; buttonText: string; layout: "stacked" | "inline" };
  display: { mode: "inline" | "popup" | "slide_in"; delaySeconds: number; scrollPercent: number; exitIntent: boolean; hideForDays: number };
  allowedOrigins: string[];
  turnstile: { enabled: boolean; siteKey: string };
}
export type DisplayMode = FormDefinition["display"]["mode"];

export interface FormStats {
  submissions: number;
  confirmed: number;
  pending: number;
}

export interface FormListItem extends FormStats {
  id: number;
  name: string;
  status: "active" | "disabled";
  mode: DisplayMode | null;
  topics: string[];
  createdAt: number;
  updatedAt: number;
}

export interface FormDetail {
  id: number;
  name: string;
  status: "active" | "disabled";
  /** null when the stored definition no longer parses */
  definition: FormDefinition | null;
  stats: FormStats;
  embed: { script: string; html: string; scriptUrl: string; hostedUrl: string } | null;
  warnings: string[];
  createdAt: number;
  updatedAt: number;
}

export const MODE_LABEL: Record<DisplayMode, string> = { inline: "Inline", popup: "Popup", slide_in: "Slide-in" };

export const TYPE_LABEL: Record<FieldType, string> = {
  email: "Email",
  text: "Text",
  number: "Number",
  checkbox: "Checkbox",
  select: "Dropdown",
  date: "Date",
  tel: "Phone",
};

/** Fields with a fixed meaning: they fill the contact's own columns. */
export const STANDARD_FIELDS: { key: string; type: FieldType; label: string }[] = [
  { key: "first_name", type: "text", label: "First name" },
  { key: "last_name", type: "text", label: "Last name" },
  { key: "birthday", type: "date", label: "Birthday" },
  { key: "phone", type: "tel", label: "Phone" },
];
const STANDARD_KEYS = new Set(["email", ...STANDARD_FIELDS.map((f) => f.key)]);
export const isStandard = (key: string) => STANDARD_KEYS.has(key);

// Keys a custom field cannot take (the server refuses them too; see RESERVED_KEYS in worker/core/forms).
const RESERVED = new Set([
  "topics", "page_url", "stamp", "redirect_to", "turnstile_token", "tern_website", "id", "user_id", "userid", "external_id", "anonymous_id",
  "anonymousid", "properties", "email_address", "name", "full_name", "firstname", "lastname",
]);

/** A property key from a label: "Shoe size" → "shoe_size", unique among `taken`. */
export function keyFromLabel(label: string, taken: string[]): string {
  let base = label
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 36);
  if (!base) base = "field";
  if (!/^[a-z]/.test(base)) base = `f_${base}`;
  if (RESERVED.has(base) || STANDARD_KEYS.has(base)) base = `${base}_field`;
  let key = base;
  for (let n = 2; taken.includes(key); n++) key = `${base}_${n}`;
  return key;
}

export const keyProblem = (key: string, taken: string[]): string | null =>
  !/^[a-z][a-z0-9_]{0,39}$/.test(key)
    ? "Lower-case letters, digits and _, starting with a letter (at most 40)"
    : RESERVED.has(key) || STANDARD_KEYS.has(key)
      ? "This key is reserved: choose another"
      : taken.includes(key)
        ? "Another field has this key"
        : null;

// ---- the draft --------------------------------------------------------------------------------------------

export interface FieldDraft {
  /** a stable identity for rendering while fields move */
  uid: number;
  key: string;
  type: FieldType;
  label: string;
  placeholder: string;
  required: boolean;
  /** a dropdown's options, one per line ("value | Label" when they differ) */
  optionsText: string;
}

export interface Draft {
  name: string;
  title: string;
  description: string;
  fields: FieldDraft[];
  topics: FormDefinition["topics"];
  topicsLabel: string;
  consentText: string;
  privacyUrl: string;
  after: "message" | "redirect";
  successMessage: string;
  redirectUrl: string;
  /** "" for Tern's default confirmation email */
  confirmTemplateId: string;
  confirmRedirectUrl: string;
  accentColor: string;
  buttonText: string;
  layout: FormDefinition["style"]["layout"];
  mode: DisplayMode;
  delaySeconds: number;
  scrollPercent: number;
  exitIntent: boolean;
  hideForDays: number;
  /** with a uid each, so removing one row keeps the others' focus and errors in place */
  origins: { uid: number; value: string }[];
  turnstileEnabled: boolean;
  turnstileSiteKey: string;
}

let uidSeq = 0;
export const nextUid = () => ++uidSeq;

const optionsToText = (options: { value: string; label: string }[]) => options.map((o) => (o.value === o.label ? o.label : `${o.value} | ${o.label}`)).join("\n");

export function parseOptions(text: string): { value: string; label: string }[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const bar = line.indexOf("|");
      if (bar < 0) return { value: line, label: line };
      const value = line.slice(0, bar).trim();
      const label = line.slice(bar + 1).trim();
      return { value: value || label, label: label || value };
    });
}

export function toDraft(name: string, def: FormDefinition): Draft {
  return {
    name,
    title: def.title,
    description: def.description,
    fields: def.fields.map((f) => ({ uid: nextUid(), key: f.key, type: f.type, label: f.label, placeholder: f.placeholder, required: f.required, optionsText: optionsToText(f.options) })),
    topics: def.topics.map((t) => ({ ...t })),
    topicsLabel: def.topicsLabel,
    consentText: def.consentText,
    privacyUrl: def.privacyUrl,
    after: def.redirectUrl ? "redirect" : "message",
    successMessage: def.successMessage,
    redirectUrl: def.redirectUrl,
    confirmTemplateId: def.confirmation.templateId ? String(def.confirmation.templateId) : "",
    confirmRedirectUrl: def.confirmation.redirectUrl,
    accentColor: def.style.accentColor,
    buttonText: def.style.buttonText,
    layout: def.style.layout,
    mode: def.display.mode,
    delaySeconds: def.display.delaySeconds,
    scrollPercent: def.display.scrollPercent,
    exitIntent: def.display.exitIntent,
    hideForDays: def.display.hideForDays,
    origins: def.allowedOrigins.map((value) => ({ uid: nextUid(), value })),
    turnstileEnabled: def.turnstile.enabled,
    turnstileSiteKey: def.turnstile.siteKey,
  };
}

/** The origins as sent: blank rows dropped; `at` maps each sent index back to its row (for errors). */
export function sentOrigins(d: Draft): { values: string[]; at: number[] } {
  const values: string[] = [];
  const at: number[] = [];
  d.origins.forEach((o, i) => {
    if (!o.value.trim()) return;
    values.push(o.value.trim());
    at.push(i);
  });
  return { values, at };
}

/** What PATCH /api/forms/:id takes: the name and the whole definition. */
export function toBody(d: Draft) {
  return {
    name: d.name.trim(),
    title: d.title,
    description: d.description,
    fields: d.fields.map((f) => ({
      key: f.key,
      type: f.type,
      label: f.label,
      placeholder: f.type === "checkbox" ? "" : f.placeholder,
      required: f.key === "email" || f.required,
      options: f.type === "select" ? parseOptions(f.optionsText) : [],
    })),
    topics: d.topics,
    topicsLabel: d.topicsLabel,
    consentText: d.consentText,
    privacyUrl: d.privacyUrl.trim(),
    successMessage: d.successMessage,
    redirectUrl: d.after === "redirect" ? d.redirectUrl.trim() : "",
    confirmation: { templateId: d.confirmTemplateId ? Number(d.confirmTemplateId) : null, redirectUrl: d.confirmRedirectUrl.trim() },
    style: { accentColor: d.accentColor.trim(), buttonText: d.buttonText, layout: d.layout },
    display: { mode: d.mode, delaySeconds: d.delaySeconds, scrollPercent: d.scrollPercent, exitIntent: d.exitIntent, hideForDays: d.hideForDays },
    allowedOrigins: sentOrigins(d).values,
    turnstile: { enabled: d.turnstileEnabled, siteKey: d.turnstileSiteKey.trim() },
  };
}

// ---- what the embed script renders ---------------------------------------------------------------------------

const hexRe = /^#[0-9a-fA-F]{6}$/;
export const isHex = (v: string) => hexRe.test(v.trim());

/** #000000 or #ffffff, whichever reads better on `color` (WCAG contrast, as the Worker decides). */
export function readableOn(color: string): string {
  const channel = (i: number) => {
    const c = parseInt(color.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? "#ffffff" : "#000000";
}

/**
 * The config the script receives, built from the draft. Display rules are left out so a popup shows at once, and
 * the sandboxed preview's own origin ("null") is allowed, so the script does not warn about it.
 */
export function previewConfig(id: number, d: Draft, topics: Topic[]) {
  const accent = isHex(d.accentColor) ? d.accentColor.trim() : "#2563eb";
  const name = (key: string) => topics.find((t) => t.key === key)?.name ?? key;
  return {
    id,
    title: d.title.trim(),
    description: d.description.trim(),
    fields: d.fields.map((f) => ({
      key: f.key,
      type: f.type,
      label: f.label.trim() || TYPE_LABEL[f.type],
      placeholder: f.placeholder.trim(),
      required: f.key === "email" || f.required,
      options: f.type === "select" ? parseOptions(f.optionsText) : [],
    })),
    topics: d.topics.map((t) => ({ key: t.key, label: t.label.trim() || name(t.key), preselected: t.preselected })),
    topicsLabel: d.topicsLabel.trim(),
    consentText: d.consentText.trim(),
    privacyUrl: d.privacyUrl.trim(),
    accent,
    accentText: readableOn(accent),
    buttonText: d.buttonText.trim() || "Subscribe",
    layout: d.layout,
    mode: d.mode,
    delay: 0,
    scroll: 0,
    exit: false,
    hide: d.hideForDays,
    turnstile: null,
    origins: ["null"],
  };
}
export type PreviewConfig = ReturnType<typeof previewConfig>;

/** The served script split into its runtime and its three arguments (config, Tern origin, CSS). */
export interface ParsedSnippet {
  runtime: string;
  config: { accent: string; accentText: string };
  base: string;
  css: string;
}

/**
 * Splits `/forms/ID.js` — `(RUNTIME)(CONFIG, BASE, CSS);` — so the preview can run the real script with the
 * draft's config. Returns null if the script no longer has that shape (the preview then shows the saved form).
 */
export function parseSnippet(js: string): ParsedSnippet | null {
  const cut = js.lastIndexOf("})(");
  const end = js.lastIndexOf(");");
  if (cut < 0 || end < cut) return null;
  try {
    const args = JSON.parse(`[${js.slice(cut + 3, end)}]`) as unknown[];
    const [config, base, css] = args as [ParsedSnippet["config"], string, string];
    if (!config || typeof config.accent !== "string" || typeof base !== "string" || typeof css !== "string") return null;
    return { runtime: js.slice(0, cut + 2), config, base, css };
  } catch {
    return null;
  }
}

/** JSON that is safe inside a <script> element. */
export const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

/** The real script with the draft's config, and its CSS recoloured from the served accent to the draft's. */
export function draftScript(s: ParsedSnippet, config: PreviewConfig): string {
  const css = s.css
    .split(`background:${s.config.accent};color:${s.config.accentText}`)
    .join(`background:${config.accent};color:${config.accentText}`)
    .split(s.config.accent)
    .join(config.accent);
  return `${s.runtime}(${scriptJson(config)}, ${scriptJson(s.base)}, ${scriptJson(css)});`;
}
