/**
 * Resend (https://resend.com/docs/api-reference/emails/send-email): POST /emails with a Bearer API key and a JSON
 * body; the answer's `id` is the provider message id. The `Idempotency-Key` header (our message id) makes Resend
 * answer a repeated request with the first response instead of sending twice, for 24 hours.
 */
import type { ProviderContext } from "./index";
import { apiUrl, customHeaders, formatAddress, permanent, providerFetch, type Provider, type TimeoutOption } from "./types";

export const resend = ({ settings, env, timeoutMs }: ProviderContext & TimeoutOption): Provider => ({
  name: "resend",
  async send(email) {
    const key = env.RESEND_API_KEY;
    if (!key) return permanent("RESEND_API_KEY is not set (wrangler secret put RESEND_API_KEY)");
    const body = {
      from: formatAddress(email.from),
      to: [formatAddress(email.to)],
      subject: email.subject,
      html: email.html,
      ...(email.text ? { text: email.text } : {}),
      ...(email.replyTo ? { reply_to: email.replyTo } : {}),
      headers: customHeaders(email),
    };
    return providerFetch(
      apiUrl(settings.apiBaseUrl, "https://api.resend.com", "/emails"),
      {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "idempotency-key": email.messageId },
        body: JSON.stringify(body),
      },
      {
        timeoutMs,
        idFrom: (b) => b?.id,
        // 409 concurrent_idempotent_requests: the first attempt is still in flight; asking again later is safe
        retryable: (status, b) => (status === 409 ? b?.name === "concurrent_idempotent_requests" : undefined),
      },
    );
  },
});
