/**
 * Settings → Sending: the email provider and its non-secret settings (secrets are Worker secrets, shown only as
 * set or missing with the command that sets them), links and tracking, and the send-time limits.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { api, fieldErrors, formError, settings as settingsStore } from "../api";
import { Icon } from "../icons";
import { Link } from "../router";
import type { ProviderName, SendingSettings, SendingStatus, Settings } from "../types";
import { Alert, Badge, Button, Card, Checkbox, CodeBlock, CopyButton, LoadError, Loading, SelectField, TextField, cx, toast, useAsync } from "../ui";
import { providerLabel } from "./outbox";

const providers: Record<ProviderName, { blurb: string; secrets: string[] }> = {
  outbox: { blurb: "Keeps every email in Tern's Outbox instead of sending it. For trying Tern out and for local development.", secrets: [] },
  smtp: { blurb: "Any SMTP server or relay: your mail host, Google Workspace, Fastmail, Postfix. STARTTLS or TLS, with AUTH PLAIN or LOGIN.", secrets: ["SMTP_PASSWORD"] },
  resend: { blurb: "Resend's HTTP API. Bounces and complaints come back through its webhooks.", secrets: ["RESEND_API_KEY"] },
  postmark: { blurb: "Postmark's HTTP API. Use a Broadcast message stream for marketing email.", secrets: ["POSTMARK_SERVER_TOKEN"] },
  ses: { blurb: "Amazon SES (v2 API, SigV4-signed). Bounces and complaints arrive through SNS.", secrets: ["SES_ACCESS_KEY_ID", "SES_SECRET_ACCESS_KEY"] },
  sendgrid: { blurb: "Twilio SendGrid's v3 mail API.", secrets: ["SENDGRID_API_KEY"] },
  mailgun: { blurb: "Mailgun's messages API, in its US or EU region.", secrets: ["MAILGUN_API_KEY"] },
  cloudflare: { blurb: "Cloudflare Email Service through the Worker's send_email binding: no key, but the binding must be in wrangler.toml.", secrets: [] },
};
const providerNames = Object.keys(providers) as ProviderName[];

/** Form values as typed: numbers stay strings until saved, so a field can be cleared and retyped. */
interface Form {
  provider: ProviderName;
  publicUrl: string;
  ratePerSecond: string;
  frequencyCap: string;
  frequencyDays: string;
  quietHours: boolean;
  quietStart: string;
  quietEnd: string;
  trackOpens: boolean;
  trackClicks: boolean;
  utm: boolean;
  utmSource: string;
  utmMedium: string;
  softBounceLimit: string;
  smtpHost: string;
  smtpPort: string;
  smtpSecurity: SendingSettings["smtp"]["security"];
  smtpUsername: string;
  sesRegion: string;
  mailgunDomain: string;
  mailgunRegion: SendingSettings["mailgunRegion"];
  apiBaseUrl: string;
}

const toForm = (s: SendingSettings, active: ProviderName): Form => ({
  provider: s.provider || active,
  publicUrl: s.publicUrl,
  ratePerSecond: String(s.ratePerSecond),
  frequencyCap: String(s.frequencyCap),
  frequencyDays: String(s.frequencyDays),
  quietHours: s.quietHours,
  quietStart: s.quietStart,
  quietEnd: s.quietEnd,
  trackOpens: s.trackOpens,
  trackClicks: s.trackClicks,
  utm: s.utm,
  utmSource: s.utmSource,
  utmMedium: s.utmMedium,
  softBounceLimit: String(s.softBounceLimit),
  smtpHost: s.smtp.host,
  smtpPort: String(s.smtp.port),
  smtpSecurity: s.smtp.security,
  smtpUsername: s.smtp.username,
  sesRegion: s.sesRegion,
  mailgunDomain: s.mailgunDomain,
  mailgunRegion: s.mailgunRegion,
  apiBaseUrl: s.apiBaseUrl,
});

const num = (v: string) => (/^\s*\d+\s*$/.test(v) ? Number(v) : NaN);

/** The settings the form stands for, in the API's shape (numbers that do not parse stay NaN and are caught first). */
function toSending(f: Form): SendingSettings {
  return {
    provider: f.provider,
    publicUrl: f.publicUrl.trim().replace(/\/+$/, ""),
    ratePerSecond: num(f.ratePerSecond),
    frequencyCap: num(f.frequencyCap),
    frequencyDays: num(f.frequencyDays),
    quietHours: f.quietHours,
    quietStart: f.quietStart,
    quietEnd: f.quietEnd,
    trackOpens: f.trackOpens,
    trackClicks: f.trackClicks,
    utm: f.utm,
    utmSource: f.utmSource.trim(),
    utmMedium: f.utmMedium.trim(),
    softBounceLimit: num(f.softBounceLimit),
    smtp: { host: f.smtpHost.trim(), port: num(f.smtpPort), security: f.smtpSecurity, username: f.smtpUsername },
    sesRegion: f.sesRegion.trim(),
    mailgunDomain: f.mailgunDomain.trim(),
    mailgunRegion: f.mailgunRegion,
    apiBaseUrl: f.apiBaseUrl.trim(),
  };
}

/** Only the fields that changed; `smtp` is sent whole, because the server merges one level deep. */
function changes(before: SendingSettings, after: SendingSettings): Partial<SendingSettings> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(after) as (keyof SendingSettings)[]) {
    if (JSON.stringify(after[k]) !== JSON.stringify(before[k])) out[k] = after[k];
  }
  return out as Partial<SendingSettings>;
}

const numberChecks: [keyof Form, string, number, number][] = [
  ["ratePerSecond", "Between 1 and 1,000", 1, 1000],
  ["frequencyCap", "Between 0 (no cap) and 100", 0, 100],
  ["frequencyDays", "Between 1 and 90 days", 1, 90],
  ["softBounceLimit", "Between 1 and 20", 1, 20],
  ["smtpPort", "A port number", 1, 65535],
];
const formKeyFor: Record<string, keyof Form> = { "smtp.host": "smtpHost", "smtp.port": "smtpPort", "smtp.security": "smtpSecurity", "smtp.username": "smtpUsername" };

export function SendingSettingsTab() {
  const loaded = useAsync(() => Promise.all([api.get<Settings>("/settings"), api.get<SendingStatus>("/settings/sending/status")]), []);
  if (loaded.error) return <LoadError error={loaded.error} retry={loaded.reload} />;
  if (!loaded.data) return <Loading />;
  const [s, status] = loaded.data;
  return <SendingForm initial={s.sending} status={status} />;
}

function SendingForm({ initial, status: initialStatus }: { initial: SendingSettings; status: SendingStatus }) {
  const [status, setStatus] = useState(initialStatus);
  const [saved, setSaved] = useState(() => toSending(toForm(initial, initialStatus.provider)));
  const [form, setForm] = useState(() => toForm(initial, initialStatus.provider));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Form>(k: K) => (v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const e = (k: string) => errors[k];
  const patch = changes(saved, toSending(form));
  const dirty = Object.keys(patch).length > 0;
  const p = form.provider;

  const save = async (ev: Event) => {
    ev.preventDefault();
    const local: Record<string, string> = {};
    for (const [k, msg, min, max] of numberChecks) {
      const n = num(form[k] as string);
      if (!(n >= min && n <= max)) local[k] = msg;
    }
    if (form.publicUrl.trim() && !/^https?:\/\/[^\s/]+/i.test(form.publicUrl.trim())) local.publicUrl = "A URL such as https://mail.example.com";
    if (Object.keys(local).length) {
      setErrors(local);
      setError("Please correct the highlighted fields.");
      return;
    }
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      const next = await api.patch<Settings>("/settings", { sending: patch });
      settingsStore.set(next);
      setSaved(toSending(toForm(next.sending, status.provider)));
      setForm(toForm(next.sending, status.provider));
      setStatus(await api.get<SendingStatus>("/settings/sending/status"));
      toast("Sending settings saved");
    } catch (err) {
      const fe: Record<string, string> = {};
      for (const [path, msg] of Object.entries(fieldErrors(err))) {
        const key = path.replace(/^sending\./, "");
        fe[formKeyFor[key] ?? key] = msg;
      }
      setErrors(fe);
      setError(formError(err, ["sending"]));
    }
    setBusy(false);
  };

  const info = providers[p];
  const isActive = p === status.provider;
  return (
    <form class="stack-lg settings-form" onSubmit={save} noValidate>
      {error && <Alert>{error}</Alert>}
      {!status.tokenSecret && (
        <Alert tone="amber" title="TERN_SECRET is not set">
          Tern signs the unsubscribe, click and open links in every email with it, and will not send without it. Set one of at least 16 random characters:
          <Command text="npx wrangler secret put TERN_SECRET" />
        </Alert>
      )}
      <Card title="Email provider" subtitle="Who delivers your email. Keys and passwords are Worker secrets: they are never entered or shown here.">
        <div class="stack">
          <div class="provider-status">
            <span class="muted">Active now:</span>
            <Badge tone={status.provider === "outbox" ? "blue" : "green"} dot>
              {providerLabel[status.provider]}
            </Badge>
            {status.provider === "outbox" && <span class="muted small">Nothing is sent: emails are kept in the <Link href="/outbox">Outbox</Link>.</span>}
          </div>
          <SelectField
            label="Provider"
            value={p}
            onValue={(v) => set("provider")(v as ProviderName)}
            options={providerNames.map((n) => ({ value: n, label: providerLabel[n] }))}
            hint={info.blurb}
            error={e("provider")}
          />
          {p === "smtp" && (
            <div class="grid-2 provider-fields">
              <TextField label="SMTP host" value={form.smtpHost} onValue={set("smtpHost")} placeholder="smtp.example.com" error={e("smtpHost")} />
              <div class="grid-2 tight">
                <TextField label="Port" inputMode="numeric" value={form.smtpPort} onValue={set("smtpPort")} error={e("smtpPort")} />
                <SelectField
                  label="Security"
                  value={form.smtpSecurity}
                  onValue={(v) => set("smtpSecurity")(v as Form["smtpSecurity"])}
                  options={[
                    { value: "starttls", label: "STARTTLS" },
                    { value: "tls", label: "TLS" },
                    { value: "none", label: "None" },
                  ]}
                  hint="587: STARTTLS · 465: TLS"
                  error={e("smtpSecurity")}
                />
              </div>
              <TextField label="Username" value={form.smtpUsername} onValue={set("smtpUsername")} autoComplete="off" hint="The password is the SMTP_PASSWORD secret below." error={e("smtpUsername")} />
            </div>
          )}
          {p === "ses" && (
            <div class="grid-2 provider-fields">
              <TextField label="AWS region" mono value={form.sesRegion} onValue={set("sesRegion")} placeholder="eu-west-1" hint="The region where your SES identity is verified." error={e("sesRegion")} />
            </div>
          )}
          {p === "mailgun" && (
            <div class="grid-2 provider-fields">
              <TextField label="Sending domain" value={form.mailgunDomain} onValue={set("mailgunDomain")} placeholder="mg.example.com" error={e("mailgunDomain")} />
              <SelectField
                label="Region"
                value={form.mailgunRegion}
                onValue={(v) => set("mailgunRegion")(v as Form["mailgunRegion"])}
                options={[
                  { value: "us", label: "US (api.mailgun.net)" },
                  { value: "eu", label: "EU (api.eu.mailgun.net)" },
                ]}
                error={e("mailgunRegion")}
              />
            </div>
          )}
          {p === "cloudflare" && <CodeBlock title="wrangler.toml" code={'[[send_email]]\nname = "EMAIL"'} />}
          <Secrets names={info.secrets} status={isActive ? status.secrets : null} />
          {p !== "outbox" && p !== "cloudflare" && (
            <details class="advanced" open={Boolean(form.apiBaseUrl)}>
              <summary>Advanced</summary>
              <TextField
                label="API base URL"
                mono
                value={form.apiBaseUrl}
                onValue={set("apiBaseUrl")}
                placeholder="https://api.example.com"
                aside="Optional"
                hint="Replaces the provider's API origin, for a regional endpoint or a proxy. Leave empty normally."
                error={e("apiBaseUrl")}
              />
            </details>
          )}
        </div>
      </Card>

      <Card title="Links and tracking" subtitle="How links in your emails are built and measured.">
        <div class="stack">
          <TextField
            label="Public URL"
            type="url"
            value={form.publicUrl}
            onValue={set("publicUrl")}
            placeholder={status.publicUrl}
            hint={<>Where unsubscribe, preference, click and open links point. Use the address this Tern is reachable at, for example https://tern.example.com. Now: <code>{status.publicUrl}</code></>}
            error={e("publicUrl")}
          />
          <Checkbox label="Track opens" hint="Adds a 1×1 image. Opens from Apple Mail Privacy Protection and scanners are counted apart." checked={form.trackOpens} onChange={set("trackOpens")} />
          <Checkbox label="Track clicks" hint="Links go through a signed redirect on your Tern, which records the click and sends the reader on at once." checked={form.trackClicks} onChange={set("trackClicks")} />
          <Checkbox label="Add UTM parameters to links" hint="So your analytics attributes visits to email. Links that already have UTM parameters keep them." checked={form.utm} onChange={set("utm")} />
          {form.utm && (
            <div class="grid-2 indent">
              <TextField label="utm_source" mono value={form.utmSource} onValue={set("utmSource")} error={e("utmSource")} />
              <TextField label="utm_medium" mono value={form.utmMedium} onValue={set("utmMedium")} error={e("utmMedium")} />
            </div>
          )}
        </div>
      </Card>

      <Card title="Limits" subtitle="Checked again at the moment each email is sent, so a change applies to email already queued.">
        <div class="stack">
          <div class="grid-2">
            <TextField label="Messages per second" inputMode="numeric" value={form.ratePerSecond} onValue={set("ratePerSecond")} hint="What your provider allows; Tern never sends faster." error={e("ratePerSecond")} />
            <TextField label="Soft bounces before suppressing" inputMode="numeric" value={form.softBounceLimit} onValue={set("softBounceLimit")} hint="In a row (full mailbox, server down). A hard bounce suppresses at once." error={e("softBounceLimit")} />
          </div>
          <fieldset class="fieldset">
            <legend>Frequency cap</legend>
            <div class="inline-fields">
              <span>At most</span>
              <input class={cx("input input-num", e("frequencyCap") && "is-invalid")} inputMode="numeric" aria-label="Emails per contact" aria-invalid={e("frequencyCap") ? "true" : undefined} value={form.frequencyCap} onInput={(ev) => set("frequencyCap")(ev.currentTarget.value)} />
              <span>marketing emails per contact every</span>
              <input class="input input-num" inputMode="numeric" aria-label="Days" aria-invalid={e("frequencyDays") ? "true" : undefined} value={form.frequencyDays} onInput={(ev) => set("frequencyDays")(ev.currentTarget.value)} />
              <span>days</span>
            </div>
            <FieldNote error={e("frequencyCap") ?? e("frequencyDays")}>
              {num(form.frequencyCap) === 0 ? "0 means no cap." : "Flows and campaigns beyond the cap are skipped for that contact."} Transactional email is never capped.
            </FieldNote>
          </fieldset>
          <fieldset class="fieldset">
            <legend>Quiet hours</legend>
            <Checkbox label="Hold marketing email during quiet hours" checked={form.quietHours} onChange={set("quietHours")} />
            <div class={cx("inline-fields", !form.quietHours && "is-disabled")}>
              <span>From</span>
              <input type="time" class="input input-time" aria-label="Quiet hours start" value={form.quietStart} disabled={!form.quietHours} onInput={(ev) => set("quietStart")(ev.currentTarget.value)} />
              <span>to</span>
              <input type="time" class="input input-time" aria-label="Quiet hours end" value={form.quietEnd} disabled={!form.quietHours} onInput={(ev) => set("quietEnd")(ev.currentTarget.value)} />
              <span>in each contact's own time zone</span>
            </div>
            <FieldNote error={e("quietStart") ?? e("quietEnd")}>
              Email due then waits until the quiet hours end, at the contact's local time (your store's time zone for contacts without one). Nothing is dropped, and transactional email is never held.
            </FieldNote>
          </fieldset>
        </div>
      </Card>

      <div class="form-actions">
        {dirty && <span class="muted small">Unsaved changes</span>}
        <Button type="submit" variant="primary" loading={busy} disabled={!dirty}>
          Save sending settings
        </Button>
      </div>
    </form>
  );
}

/** A shell command on one line, with a copy button. */
function Command({ text }: { text: string }) {
  return (
    <div class="command">
      <code>
        <span class="command-prompt" aria-hidden="true">
          ${" "}
        </span>
        {text}
      </code>
      <CopyButton text={text} />
    </div>
  );
}

function FieldNote({ error, children }: { error?: string; children: ComponentChildren }) {
  return error ? (
    <p class="field-error" role="alert">
      {error}
    </p>
  ) : (
    <p class="field-hint">{children}</p>
  );
}

/** Each secret the provider needs: set or missing (for the active provider), and the command that sets it. */
function Secrets({ names, status }: { names: string[]; status: Record<string, boolean> | null }) {
  if (!names.length) return null;
  return (
    <div class="secrets">
      <div class="secrets-head">
        <Icon name="key" size={16} />
        <strong>Secrets</strong>
        <span class="muted small">{status ? "Set with wrangler; Tern only checks whether they exist." : "Save to check whether they are set."}</span>
      </div>
      <ul>
        {names.map((name) => {
          const set = status ? status[name] : undefined;
          return (
            <li key={name} class="secret">
              <div class="secret-line">
                <code>{name}</code>
                {set === true ? (
                  <Badge tone="green" dot>
                    Set
                  </Badge>
                ) : set === false ? (
                  <Badge tone="red" dot>
                    Missing
                  </Badge>
                ) : (
                  <Badge>Not checked</Badge>
                )}
              </div>
              {set !== true && <Command text={`npx wrangler secret put ${name}`} />}
            </li>
          );
        })}
      </ul>
      <p class="field-hint">
        With <code>npm run dev</code>, put them in <code>.dev.vars</code> instead (<code>NAME=value</code>, one a line) and restart.
      </p>
    </div>
  );
}
