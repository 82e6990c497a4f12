/** /api/reports — message reports, and the jobs that ended in the dead letter queue. */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../env";
import { messageReport } from "../../store/reports";
import { parseWith } from "../body";

export const reportsApi = new Hono<AppEnv>();

const id = z.coerce.number().int().positive().optional();
const reportSchema = z.object({
  campaignId: id,
  flowId: id,
  templateId: id,
  since: z.coerce.number().int().nonnegative().optional(),
  until: z.coerce.number().int().nonnegative().optional(),
  groupBy: z.enum(["none", "variant", "node", "template", "campaign", "flow", "day"]).default("none"),
});

reportsApi.get("/messages", async (c) => {
  const { groupBy, ...filter } = parseWith(reportSchema, c.req.query(), "Invalid report filter");
  return c.json(await messageReport(c.env.DB, filter, groupBy));
});

reportsApi.get("/dead-letters", async (c) => {
  const rows = await c.env.DB.prepare(
    `SELECT d.id, d.queue, d.body, d.error, d.created_at AS createdAt, m.id AS messageId, m.to_email AS toEmail, m.subject, m.error AS lastError
     FROM dead_letters d LEFT JOIN messages m ON m.id = json_extract(d.body, '$.id') ORDER BY d.id DESC LIMIT 200`,
  ).all();
  return c.json({ items: rows.results });
});
