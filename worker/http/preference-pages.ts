/** The preference center's HTML: one form that works without JavaScript. */
import type { Settings } from "../core/settings";
import type { PreferenceView } from "../store/preferences";
import { esc, page } from "./pages";

export const maskEmail = (email: string) => email.replace(/^(.)(.*)(@.*)$/, (_, a: string, b: string, d: string) => `${a}${"•".repeat(Math.min(6, b.length))}${d}`);

/** "23 December 2026" in the contact's time zone (the store's when theirs is unknown or invalid). */
function longDate(ms: number, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone }).format(ms);
  } catch {
    return new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" }).format(ms);
  }
}

export function preferencePage(view: PreferenceView, settings: Settings, token: string, now: number, notice: string | null): string {
  const c = view.contact;
  const marketing = view.topics.filter((t) => t.kind === "marketing");
  const transactional = view.topics.filter((t) => t.kind === "transactional");
  const paused = c.pausedUntil && c.pausedUntil > now ? longDate(c.pausedUntil, c.timezone || settings.store.timezone) : null;
  const checked = (on: boolean) => (on ? " checked" : "");
  const topicRows = marketing.length
    ? marketing
        .map(
          (t) =>
            `<label><input type="checkbox" name="topic" value="${esc(t.key)}"${checked(t.status === "subscribed" && c.status !== "unsubscribed")}>${esc(t.name)}${t.description ? `<small>${esc(t.description)}</small>` : ""}</label>`,
        )
        .join("")
    : `<p>There is nothing to choose from yet.</p>`;
  const frequency = (["all", "weekly", "monthly"] as const)
    .map((f) => `<label><input type="radio" name="frequency" value="${f}"${checked(c.emailFrequency === f)}>${{ all: "Every email we send", weekly: "At most one email a week", monthly: "At most one email a month" }[f]}</label>`)
    .join("");
  // One status line: being unsubscribed is a choice the person made, not an error, and is said once.
  const status = [notice, c.status === "unsubscribed" ? "You are unsubscribed from all marketing email. Choose a topic below to hear from us again." : null].filter((m): m is string => Boolean(m));
  const birthday = c.birthday && /^\d{4}-/.test(c.birthday) ? c.birthday : "";
  const body = `
    <h1>Your email preferences</h1>
    <p>${c.email ? `For <strong>${esc(maskEmail(c.email))}</strong>. ` : ""}Choose what ${esc(settings.store.name)} sends you.</p>
    ${status.length ? `<p class="notice" role="status">${status.map(esc).join(" ")}</p>` : ""}
    <form method="post" action="/p/${esc(token)}">
      <fieldset><legend>What you receive</legend>${topicRows}
        ${transactional.length ? `<p class="muted" style="margin-top:4px">${transactional.map((t) => esc(t.name)).join(", ")}: always sent, they are about your orders.</p>` : ""}
      </fieldset>
      <fieldset><legend>How often</legend>${frequency}</fieldset>
      <fieldset><legend>Take a break</legend>
        <label>${paused ? `Paused until ${esc(paused)}.` : "Pause marketing email for a while."}
          <select name="pause">
            <option value="">${paused ? "Keep the pause" : "Don't pause"}</option>
            ${paused ? `<option value="0">Resume now</option>` : ""}
            <option value="30">30 days</option><option value="60">60 days</option><option value="90">90 days</option>
          </select></label>
      </fieldset>
      <fieldset><legend>About you</legend>
        <div class="grid">
          <label>First name<input type="text" name="first_name" maxlength="100" autocomplete="given-name" value="${esc(c.firstName ?? "")}"></label>
          <label>Last name<input type="text" name="last_name" maxlength="100" autocomplete="family-name" value="${esc(c.lastName ?? "")}"></label>
        </div>
        <label>Birthday <input type="date" name="birthday" value="${esc(birthday)}"></label>
      </fieldset>
      <div class="row"><button name="action" value="save">Save preferences</button></div>
    </form>
    <div class="section">
      <form method="post" action="/p/${esc(token)}"><button name="action" value="unsubscribe_all" class="secondary">Unsubscribe from all marketing email</button></form>
    </div>
    <div class="section">
      <p><strong>Your data.</strong> <a href="/p/${esc(token)}/data.json">Download everything we hold about you</a> (JSON).</p>
      <form method="post" action="/p/${esc(token)}/erase"><button class="secondary">Delete my data</button></form>
      <p class="muted">We will email you a link to confirm. Deleting removes your profile, history and subscriptions for good.</p>
    </div>`;
  return page("Email preferences", body, settings);
}
