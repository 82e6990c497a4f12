/**
 * Compliance lint for marketing email: what CAN-SPAM, GDPR practice and the Gmail/Yahoo sender rules expect,
 * checked on a template and the store settings. Errors block scheduling a campaign; warnings are advice.
 */
import { htmlToText } from "./html-text";
import type { Settings } from "./settings";
import type { TemplateSource } from "./template";

export interface LintFinding {
  code: string;
  level: "error" | "warning";
  message: string;
}

const SUBJECT_MAX = 60;

export function lintTemplate(t: TemplateSource & { fromEmail?: string | null }, settings: Settings): LintFinding[] {
  const out: LintFinding[] = [];
  const add = (code: string, level: LintFinding["level"], message: string) => out.push({ code, level, message });
  const withLayout = t.layout !== "none";

  if (!withLayout && !/unsubscribe_url/.test(t.html) && !/preferences_url/.test(t.html)) {
    add("unsubscribe_link", "error", "Without the store layout, the body must link to {{ unsubscribe_url }} (or {{ preferences_url }})");
  }
  if (!settings.store.address.trim()) {
    add("postal_address", "error", "Add your physical postal address in Settings → General: the law requires it in marketing email");
  } else if (!withLayout && !t.html.includes("store.address")) {
    add("postal_address", "error", "Without the store layout, the body must show {{ store.address }}");
  }
  if (!(t.fromEmail || settings.sender.fromEmail)) add("sender", "error", "Set a sender address on the template or in Settings → General");
  if (!/^https:\/\//.test(settings.sending.publicUrl)) {
    add("one_click", "warning", "Gmail and Yahoo expect a one-click unsubscribe over https: set an https public URL in Settings → Sending");
  }

  const subject = t.subject.replace(/\{\{.*?\}\}/g, "Xxxxx").trim();
  if (!subject) add("subject_empty", "error", "The subject is empty");
  else if (subject.length > SUBJECT_MAX) add("subject_length", "warning", `The subject has about ${subject.length} characters; phones show around ${SUBJECT_MAX}`);
  if (t.text !== null && t.text.trim() === "") add("plain_text", "warning", "The plain-text part is empty: leave it unset to generate it from the HTML");

  const images = [...t.html.matchAll(/<img\b[^>]*>/gi)].map((m) => m[0]);
  const words = htmlToText(t.html.replace(/<img\b[^>]*>/gi, "")).replace(/\{\{.*?\}\}|\{%.*?%\}/g, " ").trim();
  if (images.length && words.length < 80) add("image_only", "warning", "The email is mostly images: spam filters distrust that, and many readers block images");
  const noAlt = images.filter((img) => !/\salt\s*=/i.test(img)).length;
  if (noAlt) add("alt_text", "warning", `${noAlt} image${noAlt > 1 ? "s have" : " has"} no alt text`);
  const insecure = [...t.html.matchAll(/\bhref\s*=\s*["']http:\/\/[^"']+/gi)].length;
  if (insecure) add("insecure_links", "warning", `${insecure} link${insecure > 1 ? "s use" : " uses"} http:// instead of https://`);
  return out;
}

export const blocking = (findings: LintFinding[]) => findings.filter((f) => f.level === "error");
