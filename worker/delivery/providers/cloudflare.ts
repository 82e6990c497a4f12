/**
 * Cloudflare Email Service through the Worker's `send_email` binding (env.EMAIL), with the structured `send()`
 * the docs recommend (https://developers.cloudflare.com/email-service/api/send-emails/workers-api/). The answer's
 * messageId is the provider id. Errors are thrown with a `code`: rate and daily limits and internal errors are
 * retried, every other E_* code (unverified sender, suppressed recipient, invalid header, ...) is final.
 *
 * Headers go through Cloudflare's allowlist (/email-service/reference/headers/): List-Unsubscribe (https only),
 * List-Unsubscribe-Post, List-Id and X-* are accepted; Message-ID is platform-controlled, so it is not sent.
 */
import type { ProviderContext } from "./index";
import { customHeaders, errorText, permanent, PROVIDER_TIMEOUT_MS, type Provider, type SendResult, type TimeoutOption } from "./types";

/** Error codes worth another attempt later; the rest describe the message, the sender or the recipient. */
const RETRYABLE = new Set(["E_RATE_LIMIT_EXCEEDED", "E_DAILY_LIMIT_EXCEEDED", "E_INTERNAL_SERVER_ERROR"]);

export const cloudflare = ({ env, timeoutMs = PROVIDER_TIMEOUT_MS }: ProviderContext & TimeoutOption): Provider => ({
  name: "cloudflare",
  async send(email) {
    const binding = env.EMAIL;
    if (!binding) return permanent('the EMAIL send_email binding is not configured (wrangler.toml: [[send_email]] name = "EMAIL")');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "TIMEOUT" })), timeoutMs);
    });
    try {
      const result = await Promise.race([
        binding.send({
          from: email.from.name ? { email: email.from.email, name: email.from.name } : email.from.email,
          to: email.to.name ? { email: email.to.email, name: email.to.name } : email.to.email,
          subject: email.subject,
          html: email.html,
          ...(email.text ? { text: email.text } : {}),
          ...(email.replyTo ? { replyTo: email.replyTo } : {}),
          headers: customHeaders(email),
        }),
        timeout,
      ]);
      return { ok: true, providerMessageId: result?.messageId ?? null };
    } catch (err) {
      return classify(err);
    } finally {
      clearTimeout(timer);
    }
  },
});

function classify(err: unknown): SendResult {
  const code = typeof (err as { code?: unknown })?.code === "string" ? (err as { code: string }).code : "";
  const error = code ? `${code}: ${errorText(err)}` : errorText(err);
  // no code at all: the binding itself failed (network, runtime), which a later attempt may not hit
  const retryable = !code.startsWith("E_") || RETRYABLE.has(code);
  return {
    ok: false,
    retryable,
    error,
    ...(code === "E_DAILY_LIMIT_EXCEEDED" ? { retryAfterSeconds: 3600 } : {}),
  };
}
