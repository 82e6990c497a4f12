/** /api/imports — CSV contact imports: create, upload (streamed), poll progress, download rejected rows. */
import { Hono } from "hono";
import { z } from "zod";
import { csvRow } from "../../core/csv";
import type { AppEnv } from "../../env";
import { createImport, getImport, listImports, MAX_IMPORT_BYTES, runImport, type Reject } from "../../store/imports";
import { topicsByKey } from "../../store/topics";
import { idOf, jsonBody, tooLarge } from "../body";
import { badRequest, HttpError, notFound } from "../errors";

export const importsApi = new Hono<AppEnv>();

const createSchema = z.object({
  filename: z.string().trim().min(1).max(200),
  topics: z.array(z.string().max(100)).max(20).default([]),
  overwrite: z.boolean().default(false),
});

async function found(d1: D1Database, raw: string) {
  const job = await getImport(d1, idOf(raw));
  if (!job) throw notFound("Import not found");
  return job;
}

importsApi.get("/", async (c) => c.json({ items: await listImports(c.env.DB) }));

importsApi.post("/", async (c) => {
  const input = await jsonBody(c, createSchema);
  const known = await topicsByKey(c.env.DB, input.topics);
  const unknown = input.topics.filter((k) => !known.has(k));
  if (unknown.length) throw badRequest("Unknown topic", unknown.map((k) => ({ path: "topics", message: `no topic "${k}"` })));
  const job = await createImport(c.env.DB, input.filename, { topicIds: [...known.values()].map((t) => t.id), overwrite: input.overwrite }, c.get("principal").userId, Date.now());
  return c.json(job, 201);
});

importsApi.get("/:id", async (c) => {
  const { rejects, ...job } = await found(c.env.DB, c.req.param("id"));
  return c.json({ ...job, rejects: rejects.slice(0, 100) });
});

/** The CSV body is read as a stream and imported while it arrives; the response is the final report. */
importsApi.put("/:id/csv", async (c) => {
  const job = await found(c.env.DB, c.req.param("id"));
  if (job.status !== "waiting") throw new HttpError(409, "conflict", "This import already received its file; start a new import");
  const length = Number(c.req.header("content-length") ?? "0");
  if (length > MAX_IMPORT_BYTES) throw tooLarge(MAX_IMPORT_BYTES);
  if (!c.req.raw.body) throw badRequest("Send the CSV file as the request body");
  // Claim the job first, so two uploads to the same import cannot both run.
  const claimed = await c.env.DB.prepare("UPDATE imports SET status = 'running', bytes_total = ? WHERE id = ? AND status = 'waiting' RETURNING id")
    .bind(length || null, job.id)
    .first();
  if (!claimed) throw new HttpError(409, "conflict", "This import already received its file; start a new import");
  const done = await runImport(c.env.DB, { ...job, status: "running" }, c.req.raw.body, Date.now);
  // A file refused before its first row is a bad request; a partial import is a report (GET shows it too).
  if (done.status === "failed" && done.rowsProcessed === 0) throw new HttpError(400, "invalid_file", done.error ?? "The file could not be imported");
  const { rejects, ...report } = done;
  return c.json({ ...report, rejects: rejects.slice(0, 100) });
});

importsApi.get("/:id/rejects.csv", async (c) => {
  const job = await found(c.env.DB, c.req.param("id"));
  const rejects = job.rejects as Reject[];
  const columns = [...new Set(rejects.flatMap((r) => Object.keys(r.values ?? { email: "" })))];
  const body = [csvRow(["row", "reason", ...columns]), ...rejects.map((r) => csvRow([r.row, r.reason, ...columns.map((k) => r.values?.[k] ?? (k === "email" ? r.email : ""))]))].join("");
  return new Response(body, {
    headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="import-${job.id}-rejected.csv"`, "Cache-Control": "no-store" },
  });
});
