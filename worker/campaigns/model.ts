/**
 * Campaign data: the zod schemas of what an admin may write (audience, schedule, sender, A/B test) and the
 * shape of the fan-out state kept in the campaign row. Pure: no bindings, no clock.
 */
import { z } from "zod";
import { emailSchema } from "../core/contact";

const id = z.number().int().positive().max(2 ** 31);
const ids = z.array(id).max(50);
const topicKey = z.string().trim().min(1).max(64).regex(/^[a-z0-9][a-z0-9_-]*$/, "a topic key (lower-case letters, digits, dash, underscore)");
const unique = <T>(xs: T[]) => new Set(xs).size === xs.length;

/** Who receives it: members of ANY listed segment OR subscribers of ANY listed topic, minus excluded segments. */
export const audienceSchema = z
  .object({
    segments: ids.default([]).refine(unique, "listed twice"),
    topics: z.array(topicKey).max(50).default([]).refine(unique, "listed twice"),
    excludeSegments: ids.default([]).refine(unique, "listed twice"),
  })
  .strict();
export type AudienceInput = z.infer<typeof audienceSchema>;

/** The stored audience; a resend targets the non-openers of its parent instead of segments and topics. */
export type Audience = AudienceInput & { nonOpenersOf?: number };

const isoNoZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;
/** An instant: ms since the epoch, or ISO 8601 (UTC when it names no offset). */
const instant = z.union([
  z.number().int().min(0).max(8.64e15),
  z
    .string()
    .max(40)
    .transform((s, ctx) => {
      const t = Date.parse(isoNoZone.test(s) ? `${s}Z` : s);
      if (Number.isNaN(t)) {
        ctx.addIssue({ code: "custom", message: "not a time: use ISO 8601 (2026-12-01T09:00:00Z) or milliseconds" });
        return z.NEVER;
      }
      return t;
    }),
]);

const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD")
  .refine((s) => {
    const t = Date.parse(`${s}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s; // 2026-02-30 parses as March 2
  }, "no such date");

export const scheduleSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("now") }).strict(),
  z.object({ kind: z.literal("at"), at: instant }).strict(),
  /** the same wall-clock time in each contact's time zone (the store's for contacts without one) */
  z
    .object({ kind: z.literal("local"), date: calendarDate, time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time as HH:MM (24 h)") })
    .strict(),
]);
export type ScheduleInput = z.infer<typeof scheduleSchema>;
/** Stored schedules also include a resend's "N hours after the parent finished". */
export type Schedule = ScheduleInput | { kind: "after_parent"; hours: number };

const optionalEmail = z.union([z.literal(""), emailSchema]).optional();
export const senderSchema = z
  .object({ fromName: z.string().trim().max(100).optional(), fromEmail: optionalEmail, replyTo: optionalEmail })
  .strict();
/** Sender and subject overrides, stored together in the `sender` column: they replace the template's. */
export type Envelope = z.infer<typeof senderSchema> & { subject?: string; preheader?: string };

const subject = z.string().trim().min(1).max(500);
const preheader = z.string().trim().max(500);

export const METRICS = ["opens", "clicks", "revenue"] as const;
export type Metric = (typeof METRICS)[number];

export const variantSchema = z
  .object({
    key: z.string().regex(/^[A-Za-z0-9_-]{1,20}$/, "1–20 letters, digits, dash or underscore"),
    name: z.string().trim().max(100).optional(),
    subject: subject.optional(),
    preheader: preheader.optional(),
    templateId: id.optional(),
  })
  .strict();
export type Variant = z.infer<typeof variantSchema>;

export const abTestSchema = z
  .object({
    variants: z.array(variantSchema).min(2).max(4),
    /** percent of the audience that receives the test; the rest gets the winner */
    testShare: z.number().int().min(1).max(100),
    metric: z.enum(METRICS),
    /** hours between the end of the test send and choosing the winner */
    waitHours: z.number().min(0.25).max(168),
  })
  .strict()
  .refine((ab) => unique(ab.variants.map((v) => v.key)), { message: "variant keys must differ", path: ["variants"] })
  .refine((ab) => ab.testShare >= ab.variants.length, { message: "the test share must give each variant at least 1%", path: ["testShare"] });
export type AbTest = z.infer<typeof abTestSchema>;

const fields = {
  name: z.string().trim().min(1).max(200),
  templateId: id.nullable(),
  topicId: id.nullable(),
  audience: audienceSchema,
  sender: senderSchema,
  subject: subject.nullable(),
  preheader: preheader.nullable(),
  schedule: scheduleSchema.nullable(),
  abTest: abTestSchema.nullable(),
  maxPerHour: z.number().int().min(1).max(10_000_000).nullable(),
};

export const createSchema = z
  .object(fields)
  .partial()
  .strict()
  .extend({ name: fields.name });
export const patchSchema = z.object(fields).partial().strict();
export type CampaignInput = z.infer<typeof patchSchema>;

export const STATUSES = ["draft", "scheduled", "testing", "sending", "paused", "sent", "cancelled"] as const;
export type Status = (typeof STATUSES)[number];
/** Statuses in which the fan-out has work to do. */
export const ACTIVE: readonly Status[] = ["scheduled", "testing", "sending"];

/** A campaign's messages by status; "sent" counts every message that left (delivered, bounced and complained too). */
export interface Progress {
  queued: number;
  sending: number;
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
  failed: number;
  suppressed: number;
  cancelled: number;
}

export interface VariantFigures {
  variant: string;
  recipients: number;
  opens: number;
  clicks: number;
  conversions: number;
  revenue: number;
  /** the metric's value: a rate, or revenue per recipient */
  value: number;
}

export interface Winner {
  variant: string;
  metric: Metric;
  decidedAt: number;
  /** "auto" after the wait; "manual" when an admin picked it */
  how: "auto" | "manual";
  figures: VariantFigures[];
}

/** Fan-out progress, stored as JSON in the campaign row (the current pass's cursor is the `cursor` column). */
export interface CampaignState {
  /** bumped by every write: a step saves its progress only if nobody wrote in between */
  v: number;
  /** the queue chain that owns the campaign; jobs of older chains stop */
  job?: string;
  /** test: sending the variants; wait: waiting to pick the winner; main: the (rest of the) audience */
  phase: "test" | "wait" | "main" | "done";
  /** when the next step is due (null: nothing scheduled, e.g. a resend waiting for its parent) */
  wakeAt: number | null;
  /** A/B: the bucket seed, and how many 1% buckets each variant gets */
  ab?: { seed: number; width: number };
  testEndsAt?: number;
  winner?: Winner;
  /** a winner an admin chose before the wait was over */
  forcedWinner?: string;
  /** local-time sends: the time zones whose recipients were fanned out, and the pass in progress */
  local?: { done: string[]; pass: string[] | null };
  /** throttle: recipients enqueued in the current hour-long window, which starts at `from` */
  throttle?: { from: number; count: number };
  /** after resume: re-enqueue the campaign's queued messages, from this message rowid */
  requeue?: number | null;
  pausedFrom?: "scheduled" | "testing" | "sending";
  /** consecutive failures of the fan-out, and the last one */
  error?: { message: string; at: number; count: number };
}
