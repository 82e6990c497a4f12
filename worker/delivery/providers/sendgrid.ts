/**
 * SendGrid (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send): POST /v3/mail/send with a
 * Bearer API key. Success is 202 with an empty body; the message id is the X-Message-Id response header.
 * custom_args come back on every event webhook, so bounces match by tern_message_id. Content must list
 * text/plain before text/html. SendGrid's own click/open/subscription tracking is off: Tern does that itself.
 */
import type { ProviderContext } from "./index";
import { apiUrl, customHeaders, permanent, providerFetch, type Address, type Provider, type TimeoutOption } from "./types";

const party = (a: Address) => (a.name ? { email: a.email, name: a.name } : { email: a.email });

export const sendgrid = ({ settings, env, timeoutMs }: ProviderContext & TimeoutOption): Provider => ({
  name: "sendgrid",
  async send(email) {
    const key = env.SENDGRID_API_KEY;
    if (!key) return permanent("SENDGRID_API_KEY is not set (wrangler secret put SENDGRID_API_KEY)");
    const body = {
      personalizations: [{ to: [party(email.to)] }],
      from: party(email.from),
      ...(email.replyTo ? { reply_to: { email: email.replyTo } } : {}),
      subject: email.subject,
      content: [...(email.text ? [{ type: "text/plain", value: email.text }] : []), { type: "text/html", value: email.html }],
      headers: customHeaders(email),
      custom_args: { tern_message_id: email.messageId },
      tracking_settings: { click_tracking: { enable: false }, open_tracking: { enable: false }, subscription_tracking: { enable: false } },
    };
    return providerFetch(
      apiUrl(settings.apiBaseUrl, "https://api.sendgrid.com", "/v3/mail/send"),
      { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) },
      { timeoutMs, idFrom: (_b, res) => res.headers.get("x-message-id") },
    );
  },
});
