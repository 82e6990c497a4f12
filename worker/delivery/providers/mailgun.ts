/**
 * Mailgun (https://documentation.mailgun.com, "Send an email in MIME format"): POST /v3/{domain}/messages.mime as
 * multipart/form-data with `to` and the raw MIME as the `message` file, so our headers reach the recipient
 * unchanged. HTTP Basic auth "api:<key>"; api.eu.mailgun.net for EU domains. `v:tern_message_id` comes back in
 * event webhooks (user-variables). The answer's id is "<...@domain>"; we keep it without the angle brackets.
 */
import type { ProviderContext } from "./index";
import { apiUrl, base64Utf8, permanent, providerFetch, type Provider, type TimeoutOption } from "./types";

export const mailgun = ({ settings, env, timeoutMs }: ProviderContext & TimeoutOption): Provider => ({
  name: "mailgun",
  async send(email) {
    const key = env.MAILGUN_API_KEY;
    if (!key) return permanent("MAILGUN_API_KEY is not set (wrangler secret put MAILGUN_API_KEY)");
    if (!settings.mailgunDomain) return permanent("the Mailgun sending domain is not set (Settings → Sending → Mailgun domain)");
    const form = new FormData();
    form.append("to", email.to.email);
    form.append("message", new Blob([email.raw], { type: "message/rfc822" }), "message.mime");
    form.append("v:tern_message_id", email.messageId);
    form.append("o:tracking", "no");
    const origin = settings.mailgunRegion === "eu" ? "https://api.eu.mailgun.net" : "https://api.mailgun.net";
    return providerFetch(
      apiUrl(settings.apiBaseUrl, origin, `/v3/${encodeURIComponent(settings.mailgunDomain)}/messages.mime`),
      { method: "POST", headers: { authorization: `Basic ${base64Utf8(`api:${key}`)}` }, body: form },
      { timeoutMs, idFrom: (b) => (typeof b?.id === "string" ? b.id.replace(/^<|>$/g, "") : null) },
    );
  },
});
