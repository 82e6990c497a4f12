/** The Tern-hosted pages of a form: the hosted signup page, results of a plain HTML post, and confirmation. */
import type { Settings } from "../core/settings";
import type { Issue } from "../http/errors";
import { esc, page } from "../http/pages";
import type { PendingTopic } from "./store";

const TURNSTILE = "https://challenges.cloudflare.com";

/** Recipient pages use a strict CSP; a page with a Turnstile widget also loads Cloudflare's script and frame. */
export function formHtmlResponse(html: string, status = 200, opts: { turnstile?: boolean; headers?: Record<string, string> } = {}): Response {
  const script = opts.turnstile ? `; script-src ${TURNSTILE}; frame-src ${TURNSTILE}; connect-src ${TURNSTILE}` : "";
  return new Response(html, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy": `default-src 'none'; img-src * data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'${script}`,
      "Referrer-Policy": "no-referrer",
      ...opts.headers,
    },
  });
}

const FORM_CSS = `<style>
  form p{margin:0 0 14px}
  form br{display:none}
  form label{display:block;font-weight:600;margin:0 0 4px}
  input[type=email],input[type=text],input[type=tel],input[type=number],input[type=date],select{width:100%;font:inherit;padding:9px 11px;border:1px solid #9ca3af;border-radius:8px;margin-top:4px}
  fieldset{border:0;padding:0;margin:0 0 14px}
  legend{font-weight:600;margin-bottom:4px}
  fieldset label{font-weight:400;margin:0 0 6px}
  small{color:#6b7280}
</style>`;

export function hostedFormPage(title: string, description: string, formHtml: string, settings: Settings): string {
  return page(title, `${FORM_CSS}<h1>${esc(title)}</h1>${description ? `<p>${esc(description)}</p>` : ""}${formHtml}`, settings);
}

export function resultPage(settings: Settings, outcome: { ok: true; message: string } | { ok: false; message: string; issues?: Issue[] }): string {
  if (outcome.ok) return page("Thank you", `<h1>Thank you</h1><p>${esc(outcome.message)}</p>`, settings);
  const issues = outcome.issues?.length
    ? `<ul>${outcome.issues.map((i) => `<li>${i.path ? `<strong>${esc(label(i.path))}</strong>: ` : ""}${esc(i.message)}</li>`).join("")}</ul>`
    : "";
  return page("Please try again", `<h1>That did not work</h1><p>${esc(outcome.message)}</p>${issues}<p class="muted">Please go back and try again.</p>`, settings);
}

const label = (path: string) => path.replace(/^fields\./, "").replace(/_/g, " ");

export const maskEmail = (email: string) =>
  email.replace(/^(.)(.*)(@.*)$/, (_, a: string, b: string, d: string) => `${a}${"•".repeat(Math.min(6, b.length))}${d}`);

const topicList = (topics: PendingTopic[]) => `<ul>${topics.map((t) => `<li>${esc(t.name)}</li>`).join("")}</ul>`;

export function confirmPage(settings: Settings, contact: { email: string | null; firstName: string | null }, pending: PendingTopic[]): string {
  const who = contact.email ? ` for <strong>${esc(maskEmail(contact.email))}</strong>` : "";
  return page(
    "Confirm your subscription",
    `<h1>Confirm your subscription</h1>
     ${contact.firstName ? `<p>Hi ${esc(contact.firstName)},</p>` : ""}
     <p>Please confirm that you want to receive these emails from ${esc(settings.store.name)}${who}:</p>
     ${topicList(pending)}
     <form method="post"><div class="row"><button type="submit">Yes, subscribe me</button></div></form>
     <p class="muted">If you did not ask for this, close this page: nothing happens until you press the button.</p>`,
    settings,
  );
}

export function subscribedPage(settings: Settings, topics: PendingTopic[]): string {
  return page(
    "You are subscribed",
    `<h1>You are subscribed</h1><p>Thank you! You will receive these emails from ${esc(settings.store.name)}:</p>${topicList(topics)}
     <p class="muted">Every email has a link to change your preferences or unsubscribe.</p>`,
    settings,
  );
}

export const linkProblemPage = (settings: Settings, expired: boolean) =>
  expired
    ? page("Link expired", `<h1>This confirmation link has expired</h1><p>Links work for 7 days. Please sign up again on the website to get a new one.</p>`, settings)
    : page("Link not valid", `<h1>This confirmation link is not valid</h1><p>It may have been copied incompletely. Please use the link from the email again.</p>`, settings);

export const nothingToConfirmPage = (settings: Settings) =>
  page("Nothing to confirm", `<h1>There is nothing to confirm</h1><p>This subscription is no longer waiting for confirmation. To subscribe, please sign up again on the website.</p>`, settings);
