/** Settings rows: read all at once, write changed sections. */
import { mergeSettings, resolveSettings, type Settings, type SettingsKey, type SettingsPatch } from "../core/settings";
import { db } from "./db";
import { settings } from "./schema";

export async function getSettings(d1: D1Database): Promise<Settings> {
  const rows = await db(d1).select().from(settings).all();
  return resolveSettings(Object.fromEntries(rows.map((r) => [r.key, r.value])));
}

/** Merges a partial update into the stored sections; returns the zod error when the result is not valid. */
export async function updateSettings(d1: D1Database, patch: SettingsPatch, now: number) {
  const merged = mergeSettings(await getSettings(d1), patch);
  if (!merged.success) return merged;
  const next = merged.data;
  const d = db(d1);
  const writes = (Object.keys(patch) as SettingsKey[]).map((key) =>
    d.insert(settings).values({ key, value: next[key], updatedAt: now }).onConflictDoUpdate({ target: settings.key, set: { value: next[key], updatedAt: now } }),
  );
  if (writes.length) await d.batch(writes as [(typeof writes)[number], ...typeof writes]);
  return merged;
}
