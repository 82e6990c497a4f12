/**
 * Postmark (https://postmarkapp.com/developer/api/email-api): POST /email with X-Postmark-Server-Token. Marketing
 * mail (it carries List-Unsubscribe) goes on the "broadcast" message stream, everything else on "outbound", as
 * Postmark requires. 422 carries an ErrorCode and is final (e.g. 406 inactive recipient); 429 and 5xx are retried.
 * Tern tracks opens and clicks itself, so Postmark's tracking is switched off for the message.
 */
import type { ProviderContext } from "./index";
import { apiUrl, customHeaders, formatAddress, permanent, providerFetch, type Provider, type TimeoutOption } from "./types";

export const postmark = ({ settings, env, timeoutMs }: ProviderContext & TimeoutOption): Provider => ({
  name: "postmark",
  async send(email) {
    const token = env.POSTMARK_SERVER_TOKEN;
    if (!token) return permanent("POSTMARK_SERVER_TOKEN is not set (wrangler secret put POSTMARK_SERVER_TOKEN)");
    const headers = customHeaders(email);
    const marketing = Object.keys(headers).some((name) => name.toLowerCase() === "list-unsubscribe");
    const body = {
      From: formatAddress(email.from),
      To: formatAddress(email.to),
      Subject: email.subject,
      HtmlBody: email.html,
      ...(email.text ? { TextBody: email.text } : {}),
      ...(email.replyTo ? { ReplyTo: email.replyTo } : {}),
      Headers: Object.entries(headers).map(([Name, Value]) => ({ Name, Value })),
      MessageStream: marketing ? "broadcast" : "outbound",
      Metadata: { tern_message_id: email.messageId },
      TrackOpens: false,
      TrackLinks: "None",
    };
    return providerFetch(
      apiUrl(settings.apiBaseUrl, "https://api.postmarkapp.com", "/email"),
      {
        method: "POST",
        headers: { accept: "application/json", "content-type": "application/json", "x-postmark-server-token": token },
        body: JSON.stringify(body),
      },
      { timeoutMs, idFrom: (b) => b?.MessageID },
    );
  },
});
