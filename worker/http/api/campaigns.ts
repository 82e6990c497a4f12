/** /api/campaigns — drafts, scheduling, pause/resume/cancel, duplicate, resend to non-openers, live progress, report. */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { createSchema, patchSchema, scheduleSchema, STATUSES } from "../../campaigns/model";
import {
  CampaignError, cancelCampaign, checkReferences, chooseWinner, duplicateCampaign, estimate, pauseCampaign, resendToNonOpeners, resumeCampaign,
  scheduleCampaign, toValues, unscheduleCampaign, view, viewMany,
} from "../../campaigns/service";
import type { AppEnv } from "../../env";
import { campaignReport, createCampaign, deleteDraft, getCampaign, listCampaigns, progressOf, updateDraft } from "../../store/campaigns";
import { getSettings } from "../../store/settings";
import { idOf, jsonBody, parseWith, readBody } from "../body";
import { badRequest, HttpError, notFound } from "../errors";

export const campaignsApi = new Hono<AppEnv>();

const LIMIT = 64 * 1024;

async function found(c: Context<AppEnv>) {
  const row = await getCampaign(c.env.DB, idOf(c.req.param("id") ?? ""));
  if (!row) throw notFound("Campaign not found");
  return row;
}

/** Service errors → the API's error shape. */
async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CampaignError) throw new HttpError(err.status, err.code, err.message, err.issues);
    throw err;
  }
}

/** An optional JSON body: none at all reads as `{}`. */
async function optionalBody<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.infer<S>> {
  const bytes = await readBody(c.req.raw, LIMIT);
  if (!bytes.byteLength) return parseWith(schema, {});
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw badRequest("The request body is not valid JSON");
  }
  return parseWith(schema, value);
}

campaignsApi.get("/", async (c) => {
  const q = parseWith(
    z.object({ status: z.enum(STATUSES).optional(), before: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
    c.req.query(),
  );
  const rows = await listCampaigns(c.env.DB, q);
  return c.json({ items: await viewMany(c.env, rows), next: rows.length === q.limit ? rows[rows.length - 1]!.id : null });
});

campaignsApi.post("/", async (c) => {
  const input = await jsonBody(c, createSchema, LIMIT);
  const values = toValues(input);
  const issues = await checkReferences(c.env, values);
  if (issues.length) throw badRequest("The campaign refers to things that do not exist", issues);
  const row = await createCampaign(c.env.DB, { ...values, name: input.name }, Date.now());
  return c.json(view(row), 201);
});

campaignsApi.get("/:id", async (c) => {
  const row = await found(c);
  // Once the send has started, `total` and the progress say it all; the estimate is for what is still to come.
  const upcoming = row.status === "draft" || row.status === "scheduled";
  const [progress, audience] = await Promise.all([progressOf(c.env.DB, [row.id]), upcoming ? estimate(c.env, row, Date.now()) : null]);
  return c.json({ ...view(row, progress.get(row.id)), estimate: audience });
});

campaignsApi.patch("/:id", async (c) => {
  const row = await found(c);
  const input = await jsonBody(c, patchSchema, LIMIT);
  if (row.status !== "draft") throw new HttpError(409, "conflict", `A ${row.status} campaign cannot be edited; unschedule it first`);
  const values = toValues(input, row);
  const issues = await checkReferences(c.env, values);
  if (issues.length) throw badRequest("The campaign refers to things that do not exist", issues);
  const updated = await updateDraft(c.env.DB, row.id, values, Date.now());
  if (!updated) throw new HttpError(409, "conflict", "The campaign is no longer a draft");
  return c.json(view(updated));
});

campaignsApi.delete("/:id", async (c) => {
  const row = await found(c);
  if (row.status !== "draft") throw new HttpError(409, "conflict", `A ${row.status} campaign cannot be deleted; only drafts can`);
  if (!(await deleteDraft(c.env.DB, row.id))) throw new HttpError(409, "conflict", "The campaign is no longer a draft");
  return c.json({ ok: true });
});

/** Schedules the draft (optionally with a schedule given here): 422 lists what is missing. */
campaignsApi.post("/:id/schedule", async (c) => {
  const row = await found(c);
  const body = await optionalBody(c, z.object({ schedule: scheduleSchema.optional() }).strict());
  return c.json(view(await run(() => scheduleCampaign(c.env, row.id, body.schedule, Date.now()))));
});

const action = (path: string, fn: (env: AppEnv["Bindings"], id: number, now: number) => Promise<Parameters<typeof view>[0]>) =>
  campaignsApi.post(`/:id/${path}`, async (c) => {
    const row = await found(c);
    return c.json(view(await run(() => fn(c.env, row.id, Date.now()))));
  });

action("unschedule", unscheduleCampaign);
action("pause", pauseCampaign);
action("resume", resumeCampaign);
action("cancel", cancelCampaign);

campaignsApi.post("/:id/duplicate", async (c) => {
  const row = await found(c);
  return c.json(view(await run(() => duplicateCampaign(c.env, row.id, Date.now()))), 201);
});

campaignsApi.post("/:id/resend-non-openers", async (c) => {
  const row = await found(c);
  const body = await optionalBody(
    c,
    z.object({ afterHours: z.number().min(1).max(720).default(48), subject: z.string().trim().min(1).max(500).optional(), name: z.string().trim().min(1).max(200).optional() }).strict(),
  );
  return c.json(view(await run(() => resendToNonOpeners(c.env, row.id, body, Date.now()))), 201);
});

/** Ends the A/B test's wait now: with `variant`, that one wins; without, the best so far. */
campaignsApi.post("/:id/winner", async (c) => {
  const row = await found(c);
  const body = await optionalBody(c, z.object({ variant: z.string().max(20).optional() }).strict());
  return c.json(view(await run(() => chooseWinner(c.env, row.id, body.variant, Date.now()))));
});

campaignsApi.get("/:id/report", async (c) => {
  const row = await found(c);
  const [report, settings] = await Promise.all([campaignReport(c.env.DB, row), getSettings(c.env.DB)]);
  return c.json({ campaign: view(row), attribution: settings.attribution, currency: settings.store.currency, ...report });
});
