/**
 * Templates Tern itself needs (confirmation emails): created on first use from a default, then owned by the
 * store like any template (editable). Their ids are remembered in settings; a deleted one is created again.
 */
import { createTemplate, getTemplate, type TemplateInput } from "./templates";

export async function systemTemplate(d1: D1Database, key: string, fallback: () => TemplateInput, now: number): Promise<number> {
  const row = await d1.prepare("SELECT value FROM settings WHERE key = 'system_templates'").first<{ value: string }>();
  const ids = (row ? JSON.parse(row.value) : {}) as Record<string, number>;
  if (ids[key] && (await getTemplate(d1, ids[key]))) return ids[key];
  const created = await createTemplate(d1, fallback(), now);
  await d1
    .prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES ('system_templates', json_object(?1, ?2), ?3)
       ON CONFLICT (key) DO UPDATE SET value = json_set(value, '$.' || ?1, ?2), updated_at = ?3`,
    )
    .bind(key, created.id, now)
    .run();
  return created.id;
}
