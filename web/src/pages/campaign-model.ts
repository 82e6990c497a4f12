/**
 * Campaigns as the admin API returns them (mirroring worker/campaigns/model.ts and service.ts view()), and the
 * pure helpers the campaign pages share: status labels, store-time-zone conversions, schedule and A/B sentences.
 */
import { formatNumber } from "../format";
import type { MessageReport, ReportCounts, ReportRates } from "../types";
import type { Tone } from "../ui";

export const STATUSES = ["draft", "scheduled", "testing", "sending", "paused", "sent", "cancelled"] as const;
export type CampaignStatus = (typeof STATUSES)[number];
/** The shapes the Worker validates and stores: types only (no zod in the bundle). */
export type { AbTest, Audience, Metric, Schedule, Variant, VariantFigures, Winner } from "../../../worker/campaigns/model";
import type { AbTest, Audience, Metric, Progress as MessageProgress, Schedule, Winner } from "../../../worker/campaigns/model";

/** Message counts by status (the Worker's), and how far the fan-out got. */
export type Progress = MessageProgress & { total: number | null; enqueued: number };

export type Estimate = { recipients: number; withoutConsent: number } | { error: string };

export interface Campaign {
  id: number;
  name: string;
  status: CampaignStatus;
  templateId: number | null;
  topicId: number | null;
  audience: Audience;
  schedule: Schedule | null;
  parentId: number | null;
  abTest: AbTest | null;
  scheduleAt: number | null;
  maxPerHour: number | null;
  total: number | null;
  enqueued: number;
  startedAt: number | null;
  finishedAt: number | null;
  createdAt: number;
  updatedAt: number;
  sender: { fromName: string; fromEmail: string; replyTo: string };
  subject: string | null;
  preheader: string | null;
  /** test: sending the variants; wait: waiting to pick the winner; main: the (rest of the) audience */
  phase: "test" | "wait" | "main" | "done" | null;
  nextAt: number | null;
  testEndsAt: number | null;
  winner: Winner | null;
  zonesDone: string[] | null;
  error: { message: string; at: number; count: number } | null;
  progress?: Progress;
  /** GET /campaigns/:id of a draft or scheduled campaign */
  estimate?: Estimate | null;
}

export type ReportVariant = ReportCounts & { rates: ReportRates; variant: string | null; conversions: number; revenue: number; revenuePerRecipient: number };

export interface CampaignReport {
  campaign: Campaign;
  attribution: { clickDays: number; openDays: number };
  currency: string;
  variants: ReportVariant[];
  totals: { conversions: number; revenue: number; revenuePerRecipient: number };
  links: MessageReport["links"];
  series: { at: number; span: "hour" | "day"; opens: number; clicks: number; conversions: number; revenue: number; variants: Record<string, { opens: number; clicks: number; conversions: number; revenue: number }> }[];
}

// ---- status -------------------------------------------------------------------------------------------

export const STATUS: Record<CampaignStatus, { label: string; tone: Tone }> = {
  draft: { label: "Draft", tone: "neutral" },
  scheduled: { label: "Scheduled", tone: "blue" },
  testing: { label: "Testing", tone: "blue" },
  sending: { label: "Sending", tone: "blue" },
  paused: { label: "Paused", tone: "amber" },
  sent: { label: "Sent", tone: "green" },
  cancelled: { label: "Cancelled", tone: "red" },
};

/** Statuses whose figures still move: the pages poll while a campaign is in one. */
export const LIVE: readonly CampaignStatus[] = ["scheduled", "testing", "sending"];
export const isLive = (s: CampaignStatus) => LIVE.includes(s);

export const METRIC_LABEL: Record<Metric, string> = { opens: "Open rate", clicks: "Click rate", revenue: "Revenue" };
const METRIC_PHRASE: Record<Metric, string> = {
  opens: "the higher human open rate",
  clicks: "the higher human click rate",
  revenue: "more revenue per recipient",
};
const METRIC_PHRASE_MANY: Record<Metric, string> = {
  opens: "the highest human open rate",
  clicks: "the highest human click rate",
  revenue: "the most revenue per recipient",
};

export const VARIANT_KEYS = ["A", "B", "C", "D"];

// ---- sentences ----------------------------------------------------------------------------------------

export const hoursText = (h: number) => (h < 1 ? `${Math.round(h * 60)} min` : `${Number(h.toFixed(2))} h`);

const list = (items: string[]) => (items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`);

/**
 * What an A/B test will do, in one sentence.
 * @example abSentence(ab, 1000) // "20% of the audience (about 200 people) gets A or B, 10% each; after 4 h …"
 */
export function abSentence(ab: Pick<AbTest, "testShare" | "metric" | "waitHours"> & { variants: unknown[] }, recipients?: number | null): string {
  const keys = VARIANT_KEYS.slice(0, ab.variants.length);
  const each = Math.floor(ab.testShare / keys.length);
  const rest = 100 - each * keys.length;
  const about = recipients ? ` (about ${formatNumber(Math.round((recipients * each * keys.length) / 100))} people)` : "";
  const winner = `the variant with ${keys.length > 2 ? METRIC_PHRASE_MANY[ab.metric] : METRIC_PHRASE[ab.metric]}`;
  const share = each * keys.length;
  if (rest <= 0) return `Everyone gets ${list(keys)} (${each}% each); after ${hoursText(ab.waitHours)} ${winner} is named the winner. Nobody is left to send it to, so raise the remaining share if you want the winner sent.`;
  return `${share}% of the audience${about} gets ${list(keys)} (${each}% each); after ${hoursText(ab.waitHours)} ${winner} goes to the remaining ${rest}%.`;
}

// ---- time zones ---------------------------------------------------------------------------------------

const partsFmts = new Map<string, Intl.DateTimeFormat>();
function partsIn(zone: string): Intl.DateTimeFormat {
  let f = partsFmts.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    partsFmts.set(zone, f);
  }
  return f;
}

/** The wall-clock fields of instant `t` in `zone`. */
function wall(t: number, zone: string) {
  const parts = partsIn(zone).formatToParts(t);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { y: get("year"), mo: get("month"), d: get("day"), h: get("hour") % 24, mi: get("minute"), s: get("second") };
}

/** How far `zone`'s clock is ahead of UTC at instant `t`, in ms. */
function offsetAt(t: number, zone: string): number {
  const w = wall(t, zone);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(t / 1000) * 1000;
}

/**
 * The instant at which `zone`'s clocks show `date` `time` (a skipped hour moves forward, as clocks do).
 * @example zonedInstant("2026-12-01", "09:00", "Europe/London") // Date.UTC(2026, 11, 1, 9)
 */
export function zonedInstant(date: string, time: string, zone: string): number {
  const [y, mo, d] = date.split("-").map(Number) as [number, number, number];
  const [h, mi] = time.split(":").map(Number) as [number, number];
  const local = Date.UTC(y, mo - 1, d, h, mi);
  const first = local - offsetAt(local, zone);
  return local - offsetAt(first, zone);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Instant → the date and time `zone`'s clocks show, as form values. */
export function zonedParts(t: number, zone: string): { date: string; time: string } {
  const w = wall(t, zone);
  return { date: `${w.y}-${pad(w.mo)}-${pad(w.d)}`, time: `${pad(w.h)}:${pad(w.mi)}` };
}

export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** "Tue 1 Dec 2026, 09:00" in `zone`. */
export function formatInZone(t: number, zone: string, opts: { weekday?: boolean } = {}): string {
  try {
    return new Intl.DateTimeFormat(undefined, { timeZone: zone, weekday: opts.weekday === false ? undefined : "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" }).format(t);
  } catch {
    return new Date(t).toISOString();
  }
}

/** "GMT+1" style name of the zone's offset at `t`. */
export function zoneAbbrev(t: number, zone: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, { timeZone: zone, timeZoneName: "short" }).formatToParts(t).find((p) => p.type === "timeZoneName")?.value ?? zone;
  } catch {
    return zone;
  }
}

const dateOnly = (date: string) => new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(Date.parse(`${date}T12:00:00Z`));

/** When a campaign goes out, as a sentence fragment ("Tue 1 Dec 2026, 09:00 Europe/London"). */
export function scheduleText(s: Schedule | null, zone: string, parentName?: string, past = false): string {
  if (!s || s.kind === "now") return past ? "Right away, when it was scheduled" : "As soon as it is scheduled";
  if (s.kind === "at") return `${formatInZone(s.at, zone)} (${zone})`;
  if (s.kind === "local") return `${dateOnly(s.date)} at ${s.time} in each contact's own time zone`;
  return `${hoursText(s.hours)} after ${parentName ? `“${parentName}”` : "the original campaign"} finishes sending`;
}

// ---- figures ------------------------------------------------------------------------------------------

/** Rates over what arrived: delivered when the provider reports it, else sent minus bounced. */
export const deliveredBase = (r: Pick<ReportCounts, "delivered" | "sent" | "bounced">) => Math.max(r.delivered, r.sent - r.bounced);
export const pct = (n: number, d: number) => (d > 0 ? (n / d) * 100 : 0);

/** Messages that are done one way or another: left, failed, skipped or cancelled. */
export const processed = (p: Progress) => p.sent + p.failed + p.suppressed + p.cancelled;
