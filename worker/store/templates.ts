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

export async function deleteTemplate(d1: D1Database, id: number): Promise<boolean> {
  return (await db(d1).delete(templates).where(eq(templates.id, id)).returning({ id: templates.id })).length > 0;
}
