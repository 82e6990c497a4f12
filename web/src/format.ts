/** Numbers, money, dates and names as people read them (in the browser's locale and time zone). */
import type { ContactSummary } from "./types";

const numberFmt = new Intl.NumberFormat();
const compactFmt = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
const dateFmt = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", hour: "numeric", minute: "2-digit" });
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
const shortDayFmt = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
const relativeFmt = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export const formatNumber = (n: number | null | undefined) => numberFmt.format(n ?? 0);
export const formatCompact = (n: number) => (Math.abs(n) < 10_000 ? numberFmt.format(n) : compactFmt.format(n));

const currencyFmts = new Map<string, Intl.NumberFormat>();
export function formatMoney(value: number | null | undefined, currency = "USD", opts: { compact?: boolean; whole?: boolean } = {}): string {
  const key = `${currency}:${opts.compact ? 1 : 0}:${opts.whole ? 1 : 0}`;
  let fmt = currencyFmts.get(key);
  if (!fmt) {
    try {
      fmt = new Intl.NumberFormat(undefined, { style: "currency", currency, ...(opts.compact ? { notation: "compact", maximumFractionDigits: 1 } : opts.whole ? { minimumFractionDigits: 0, maximumFractionDigits: 0 } : {}) });
    } catch {
      fmt = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    currencyFmts.set(key, fmt);
  }
  return fmt.format(value ?? 0);
}

export const formatDate = (ms: number | null | undefined) => (ms ? dateFmt.format(ms) : "—");
export const formatDateTime = (ms: number | null | undefined) => (ms ? dateTimeFmt.format(ms) : "—");
export const formatTime = (ms: number) => timeFmt.format(ms);
/** A UTC day bucket (as the stats endpoint returns it) as "3 Mar". */
export const formatUtcDay = (ms: number) => shortDayFmt.format(ms);

export function formatRelative(ms: number | null | undefined, now = Date.now()): string {
  if (!ms) return "never";
  const diff = (ms - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 45) return "just now";
  if (abs < 3600) return relativeFmt.format(Math.round(diff / 60), "minute");
  if (abs < 86_400) return relativeFmt.format(Math.round(diff / 3600), "hour");
  if (abs < 86_400 * 7) return relativeFmt.format(Math.round(diff / 86_400), "day");
  return formatDate(ms);
}

/** "Today", "Yesterday" or the full date of the local day containing `ms`. */
export function dayLabel(ms: number, now = Date.now()): string {
  const key = localDayKey(ms);
  if (key === localDayKey(now)) return "Today";
  if (key === localDayKey(now - 86_400_000)) return "Yesterday";
  return dayFmt.format(ms);
}

export function localDayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function fullName(c: Pick<ContactSummary, "firstName" | "lastName">): string {
  return [c.firstName, c.lastName].filter(Boolean).join(" ");
}

/** What to call a contact in headings: name, else email, else user id, else "Anonymous visitor". */
export function displayName(c: Pick<ContactSummary, "firstName" | "lastName" | "email" | "externalId">): string {
  return fullName(c) || c.email || (c.externalId ? `User ${c.externalId}` : "Anonymous visitor");
}

export function initials(text: string): string {
  // Letters and digits only: "Ada <script>" is "A" + "S", never "A<".
  const words = text.replace(/@.*/, "").split(/[\s._-]+/).map((w) => w.replace(/[^\p{L}\p{N}]/gu, "")).filter(Boolean);
  const letters = words.length > 1 ? words[0]![0]! + words[1]![0]! : (words[0] ?? "?").slice(0, 2);
  return letters.toUpperCase();
}

/** "abandoned cart" → "Abandoned cart". */
export const capitalize = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

export const plural = (n: number, one: string, many = `${one}s`) => `${formatNumber(n)} ${n === 1 ? one : many}`;
