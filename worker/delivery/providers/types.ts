/** The one small interface every email provider adapter implements, and the helpers the HTTP adapters share. */

import type { Address, OutgoingEmail } from "../../core/message";

export type { Address, OutgoingEmail } from "../../core/message";

export type SendResult =
  | { ok: true; providerMessageId: string | null }
  /** retryable: 429, 5xx, timeouts and network errors; otherwise the send is recorded as failed for good */
  | { ok: false; retryable: boolean; error: string; retryAfterSeconds?: number };

export interface Provider {
  readonly name: string;
  /** false for a provider without a sending rate to respect (the local outbox): sends.ratePerSecond is not applied */
  readonly paced?: boolean;
  send(email: OutgoingEmail): Promise<SendResult>;
  /**
   * For providers that hand messages over in bulk (the outbox writes a queue batch's rows in one D1 round
   * trip): send() accepts, flush() delivers everything accepted since, once per batch. When it throws, none of
   * them was delivered and all are retried.
   */
  flush?(): Promise<void>;
}

/** How long an adapter waits for a provider before treating the attempt as a (retryable) timeout. */
export const PROVIDER_TIMEOUT_MS = 15_000;

/** Every adapter also accepts a shorter wait, so tests of a hanging provider finish in milliseconds. */
export interface TimeoutOption {
  timeoutMs?: number;
}

/** A failure no retry can fix: a missing secret or setting, a rejected address, a refused message. */
export const permanent = (error: string): SendResult => ({ ok: false, retryable: false, error });

export interface HttpOptions extends TimeoutOption {
  /** where the provider's message id is: the JSON body, or a response header */
  idFrom: (body: any, res: Response) => string | null | undefined;
  /** overrides the status-based decision for answers the provider documents as retryable (e.g. a 409) */
  retryable?: (status: number, body: any) => boolean | undefined;
}

/** Classifies an HTTP answer from a provider's API the same way for every adapter. */
export async function httpResult(res: Response, opts: HttpOptions): Promise<SendResult> {
  const text = await res.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (res.ok) return { ok: true, providerMessageId: opts.idFrom(body, res) ?? null };
  const retryAfter = retryAfterSeconds(res.headers.get("retry-after"));
  return {
    ok: false,
    retryable: opts.retryable?.(res.status, body) ?? (res.status === 429 || res.status >= 500),
    error: `${res.status} ${text.slice(0, 300)}`.trim(),
    ...(retryAfter ? { retryAfterSeconds: retryAfter } : {}),
  };
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
function retryAfterSeconds(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : Math.ceil((Date.parse(value) - Date.now()) / 1000);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/** fetch with a timeout; network errors and timeouts become retryable results. */
export async function providerFetch(url: string, init: RequestInit, opts: HttpOptions): Promise<SendResult> {
  const timeoutMs = opts.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return await httpResult(res, opts);
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    return { ok: false, retryable: true, error: timedOut ? `no answer within ${timeoutMs} ms` : `request failed: ${errorText(err)}` };
  }
}

/** The API origin: settings.apiBaseUrl when set (EU endpoints, proxies, tests), else the provider's own. */
export const apiUrl = (apiBaseUrl: string, origin: string, path: string) => (apiBaseUrl || origin).replace(/\/+$/, "") + path;

/** "Name <email>" for JSON APIs: UTF-8 as is, the name quoted when it holds RFC 5322 specials. */
export function formatAddress(a: Address): string {
  if (!a.name) return a.email;
  const name = /[()<>[\]:;@\\,."]/.test(a.name) ? `"${a.name.replace(/["\\]/g, "\\$&")}"` : a.name;
  return `${name} <${a.email}>`;
}

/** The headers JSON APIs take as custom headers: all of ours but Message-ID, which those providers set themselves. */
export function customHeaders(email: OutgoingEmail): Record<string, string> {
  return Object.fromEntries(Object.entries(email.headers).filter(([name]) => name.toLowerCase() !== "message-id"));
}

/** Base64 of a string's UTF-8 bytes (btoa alone only takes Latin-1). */
export function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
