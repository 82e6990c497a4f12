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
