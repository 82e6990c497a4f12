/** Workspace settings: one zod schema with defaults; each top-level key is stored as its own row. */
import { z } from "zod";
import { isTimezone } from "./contact";

const optionalUrl = z.union([z.literal(""), z.url({ protocol: /^https?$/ }).max(500)]).default("");

export const settingsSchema = z.object({
  store: z
    .object({
      name: z.string().trim().max(100).default("My store"),
      /** physical postal address, required in marketing email footers (CAN-SPAM) */
      address: z.string().trim().max(300).default(""),
      website: optionalUrl,
      logoUrl: optionalUrl,
      brandColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, "a colour like #1f6feb").default("#2563eb"),
      timezone: z.string().refine(isTimezone, "not an IANA time zone").default("UTC"),
      currency: z.string().regex(/^[A-Z]{3}$/, "a 3-letter currency code").default("USD"),
    })
    .prefault({}),
  sender: z
    .object({
      fromName: z.string().trim().max(100).default(""),
      fromEmail: z.union([z.literal(""), z.email().max(254)]).default(""),
      replyTo: z.union([z.literal(""), z.email().max(254)]).default(""),
    })
    .prefault({}),
  /** lifecycle stages: no order for `lapsedDays` = lapsed, for `churnedDays` = churned */
  lifecycle: z
    .object({
      lapsedDays: z.number().int().min(7).max(730).default(90),
      churnedDays: z.number().int().min(14).max(1460).default(180),
    })
    .prefault({}),
  /** an order is credited to the last email clicked within `clickDays`, else opened within `openDays` */
  attribution: z
    .object({
      clickDays: z.number().int().min(0).max(30).default(5),
      openDays: z.number().int().min(0).max(30).default(1),
    })
    .prefault({}),
  sending: z
    .object({
      /** outbox, smtp, resend, postmark, ses, sendgrid, mailgun or cloudflare; empty: the EMAIL_PROVIDER variable */
      provider: z.enum(["", "outbox", "smtp", "resend", "postmark", "ses", "sendgrid", "mailgun", "cloudflare"]).default(""),
      /** the public https origin links in emails point to (set from the first admin request when empty) */
      publicUrl: z.union([z.literal(""), z.url({ protocol: /^https?$/ }).max(200)]).default(""),
      /** messages per second handed to the provider */
      ratePerSecond: z.number().int().min(1).max(1000).default(10),
      /** at most this many marketing emails per contact within `frequencyDays` (0: no cap) */
      frequencyCap: z.number().int().min(0).max(100).default(0),
      frequencyDays: z.number().int().min(1).max(90).default(7),
      /** marketing email is held during these local hours of the contact (HH:MM, start == end: off) */
      quietStart: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/).default("21:00"),
      quietEnd: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/).default("08:00"),
      quietHours: z.boolean().default(false),
      trackOpens: z.boolean().default(true),
      trackClicks: z.boolean().default(true),
      utm: z.boolean().default(false),
      utmSource: z.string().trim().max(100).default("tern"),
      utmMedium: z.string().trim().max(100).default("email"),
      /** soft bounces in a row that suppress an address */
      softBounceLimit: z.number().int().min(1).max(20).default(3),
      /** demo only: with the outbox provider, pretend recipients open, click and sometimes order */
      simulateRecipients: z.boolean().default(false),
      /** provider settings that are not secrets (secrets are Worker secrets, see README) */
      smtp: z
        .object({
          host: z.string().trim().max(200).default(""),
          port: z.number().int().min(1).max(65535).default(587),
          security: z.enum(["starttls", "tls", "none"]).default("starttls"),
          username: z.string().max(200).default(""),
        })
        .prefault({}),
      sesRegion: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as eu-west-1").or(z.literal("")).default(""),
      mailgunDomain: z.string().trim().max(200).default(""),
      mailgunRegion: z.enum(["us", "eu"]).default("us"),
      /** overrides a provider's API origin (EU endpoints, proxies, tests) */
      apiBaseUrl: z.union([z.literal(""), z.url({ protocol: /^https?$/ }).max(200)]).default(""),
    })
    .prefault({}),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsKey = keyof Settings;
export const settingsKeys = Object.keys(settingsSchema.shape) as SettingsKey[];

/** Builds full settings from stored rows, falling back to defaults for anything missing or no longer valid. */
export function resolveSettings(stored: Partial<Record<string, unknown>>): Settings {
  const out: Record<string, unknown> = {};
  for (const key of settingsKeys) {
    const parsed = settingsSchema.shape[key].safeParse(stored[key] ?? {});
    out[key] = parsed.success ? parsed.data : settingsSchema.shape[key].parse({});
  }
  return out as Settings;
}

/**
 * A partial update names sections and some of their fields. Its values are checked by `mergeSettings`, on the
 * merged whole (zod's partial() would fill in defaults and overwrite stored values).
 */
export const settingsPatchSchema = z.partialRecord(z.enum(settingsKeys as [SettingsKey, ...SettingsKey[]]), z.record(z.string(), z.unknown()));
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export function mergeSettings(current: Settings, patch: SettingsPatch) {
  return settingsSchema.safeParse(Object.fromEntries(settingsKeys.map((k) => [k, { ...current[k], ...patch[k] }])));
}
