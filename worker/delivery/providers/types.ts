/** The one small interface every email provider adapter implements. */

import type { OutgoingEmail } from "../../core/message";

export type { Address, OutgoingEmail } from "../../core/message";

export type SendResult =
  | { ok: true; providerMessageId: string | null }
  /** retryable: 429, 5xx, timeouts and network errors; otherwise the send is recorded as failed for good */
  | { ok: false; retryable: boolean; error: string; retryAfterSeconds?: number };

export interface Provider {
  readonly name: string;
  send(email: OutgoingEmail): Promise<SendResult>;
}

/** How long an adapter waits for a provider before treating the attempt as a (retryable) timeout. */
export const PROVIDER_TIMEOUT_MS = 15_000;

/** Classifies an HTTP answer from a provider's API the same way for every adapter. */
export async function httpResult(res: Response, idFrom: (body: any) => string | null | undefined): Promise<SendResult> {
  const text = await res.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (res.ok) return { ok: true, providerMessageId: idFrom(body) ?? null };
  const retryAfter = Number(res.headers.get("retry-after"));
  return {
    ok: false,
    retryable: res.status === 429 || res.status >= 500,
    error: `${res.status} ${text.slice(0, 300)}`.trim(),
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
  };
}

/** fetch with a timeout; network errors and timeouts become retryable results. */
export async function providerFetch(url: string, init: RequestInit, idFrom: (body: any) => string | null | undefined): Promise<SendResult> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
    return await httpResult(res, idFrom);
  } catch (err) {
    return { ok: false, retryable: true, error: `request failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}
