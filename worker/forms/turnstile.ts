/**
 * Cloudflare Turnstile, checked on the server (siteverify): the widget's token alone proves nothing until
 * Cloudflare confirms it with our secret. TURNSTILE_VERIFY_URL points elsewhere in tests (a local stand-in).
 */
import type { Env } from "../env";

export const SITEVERIFY_URL = "https://challenges.cloudflare.com/turnstile/v0/siteverify";

export type TurnstileOutcome = "ok" | "failed" | "unavailable";

export async function verifyTurnstile(env: Env, token: string | null, ip: string | null): Promise<TurnstileOutcome> {
  if (!env.TURNSTILE_SECRET) return "unavailable";
  if (!token) return "failed";
  const body = new URLSearchParams({ secret: env.TURNSTILE_SECRET, response: token });
  if (ip) body.set("remoteip", ip);
  try {
    const res = await fetch(env.TURNSTILE_VERIFY_URL || SITEVERIFY_URL, { method: "POST", body, signal: AbortSignal.timeout(5000) });
    if (!res.ok) return "unavailable";
    const out = (await res.json()) as { success?: unknown };
    return out.success === true ? "ok" : "failed";
  } catch {
    return "unavailable";
  }
}
