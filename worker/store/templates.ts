/** Email templates. */
import { desc, eq, inArray } from "drizzle-orm";
import { db } from "./db";
import { templates } from "./schema";

export type TemplateRow = typeof templates.$inferSelect;
export type TemplateInput = Omit<TemplateRow, "id" | "createdAt" | "updatedAt">;

export const listTemplates = (d1: D1Database) =>
  db(d1)
    .select({ id: templates.id, name: templates.name, subject: templates.subject, fromEmail: templates.fromEmail, updatedAt: templates.updatedAt, createdAt: templates.createdAt })
    .from(templates)
    .orderBy(desc(templates.updatedAt))
    .all();

export const getTemplate = async (d1: D1Database, id: number) => (await db(d1).select().from(templates).where(eq(templates.id, id)).get()) ?? null;

export async function templatesById(d1: D1Database, ids: number[]): Promise<Map<number, TemplateRow>> {
  if (!ids.length) return new Map();
  const rows = await db(d1).select().from(templates).where(inArray(templates.id, ids)).all();
  return new Map(rows.map((t) => [t.id, t]));
}

export const createTemplate = (d1: D1Database, input: TemplateInput, now: number) =>
  db(d1).insert(templates).values({ ...input, createdAt: now, updatedAt: now }).returning().get();

export async function updateTemplate(d1: D1Database, id: number, patch: Partial<TemplateInput>, now: number) {
  return (await db(d1).update(templates).set({ ...patch, updatedAt: now }).where(eq(templates.id, id)).returning().get()) ?? null;
}

/** Campaigns still to send and live or paused flows that use a template (deleting it would break them). */
export async function templateUsers(d1: D1Database, id: number): Promise<string[]> {
  const [campaigns, flows] = await d1.batch([
    d1.prepare(
      `SELECT name FROM campaigns WHERE status IN ('draft', 'scheduled', 'testing', 'sending', 'paused')
         AND (template_id = ?1 OR EXISTS (SELECT 1 FROM json_tree(ab_test) WHERE key = 'templateId' AND value = ?1))`,
    ).bind(id),
    d1.prepare(
      `SELECT f.name FROM flows f WHERE f.status != 'archived'
         AND (EXISTS (SELECT 1 FROM json_tree(f.draft) WHERE key = 'templateId' AND value = ?1)
           OR EXISTS (SELECT 1 FROM flow_versions v, json_tree(v.definition) j WHERE v.flow_id = f.id AND v.version = f.live_version AND j.key = 'templateId' AND j.value = ?1))`,
    ).bind(id),
  ]);
  return [...(campaigns!.results as { name: string }[]).map((r) => `campaign "${r.name}"`), ...(flows!.results as { name: string }[]).map((r) => `flow "${r.name}"`)];
}

export async function deleteTemplate(d1: D1Database, id: number): Promise<boolean> {
  return (await db(d1).delete(templates).where(eq(templates.id, id)).returning({ id: templates.id })).length > 0;
}
