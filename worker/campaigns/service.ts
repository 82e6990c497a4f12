/**
 * Campaign operations behind /api/campaigns: checking references and readiness, scheduling, pause/resume,
 * cancel, duplicate, the one-click resend to non-openers, and the JSON view with live progress.
 */
import { isTimezone } from "../core/contact";
import { blocking, lintTemplate } from "../core/lint";
import { SegmentError } from "../core/segment";
import { sampleModel, validateTemplate, type TemplateSource } from "../core/template";
import { storeModel } from "../delivery/model";
import type { Env } from "../env";
import {
  audienceOf, audienceWhere, audienceZones, cancelQueued, consentTopicKey, countAudience, createCampaign, deleteDraft, envelopeOf, getCampaign, progressOf,
  scheduleOf, stateOf, topicFacts, transition, updateDraft, type CampaignRow, type CampaignValues,
} from "../store/campaigns";
import { segmentContext } from "../store/segments";
import { getSettings } from "../store/settings";
import { templatesById } from "../store/templates";
import { kickCampaign } from "./fanout";
import { type AbTest, type Audience, type CampaignInput, type CampaignState, type Envelope, type Progress, type Schedule, type Status } from "./model";
import { HOUR, lastLocalDue, localDueAt } from "./plan";

export interface Issue {
  path: string;
  message: string;
}

/** A request the campaign's current state does not allow (409), or a campaign not ready to send (422). */
export class CampaignError extends Error {
  constructor(
    readonly status: 404 | 409 | 422,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}

const MAX_DELAY_MS = 12 * HOUR;
const notFound = () => new CampaignError(404, "not_found", "Campaign not found");

// ---- input ---------------------------------------------------------------------------------------------

/** API input → stored values: subject and preheader live with the sender overrides (the envelope). */
export function toValues(input: CampaignInput, current?: CampaignRow): CampaignValues {
  const { sender, subject, preheader, audience, ...rest } = input;
  const out: CampaignValues = { ...rest };
  if (audience) out.audience = audience;
  if (sender === undefined && subject === undefined && preheader === undefined) return out;
  const before = current ? envelopeOf(current) : {};
  // A field left out keeps its value; null or "" clears it.
  const pick = <K extends keyof Envelope>(k: K, given: Envelope[K] | null | undefined) => (given === undefined ? before[k] : given || undefined);
  const envelope: Envelope = {
    fromName: pick("fromName", sender === undefined ? undefined : (sender?.fromName ?? null)),
    fromEmail: pick("fromEmail", sender === undefined ? undefined : (sender?.fromEmail ?? null)),
    replyTo: pick("replyTo", sender === undefined ? undefined : (sender?.replyTo ?? null)),
    subject: pick("subject", subject),
    preheader: pick("preheader", preheader),
  };
  out.sender = Object.fromEntries(Object.entries(envelope).filter(([, v]) => v)) as Envelope;
  return out;
}

/** Everything a campaign names must exist: template(s), topic (a marketing one), segments, topic keys. */
export async function checkReferences(env: Env, v: CampaignValues): Promise<Issue[]> {
  const issues: Issue[] = [];
  const audience = v.audience;
  const ab = v.abTest as AbTest | null | undefined;
  const templateIds = [v.templateId, ...(ab?.variants.map((x) => x.templateId) ?? [])].filter((x): x is number => !!x);
  const [templates, topics, ctx] = await Promise.all([
    templatesById(env.DB, [...new Set(templateIds)]),
    topicFacts(env.DB, audience?.topics ?? [], v.topicId ?? null),
    segmentContext(env.DB, Date.now()),
  ]);
  if (v.templateId && !templates.has(v.templateId)) issues.push({ path: "templateId", message: `template ${v.templateId} does not exist` });
  ab?.variants.forEach((x, i) => {
    if (x.templateId && !templates.has(x.templateId)) issues.push({ path: `abTest.variants.${i}.templateId`, message: `template ${x.templateId} does not exist` });
  });
  if (v.topicId && !topics.topic) issues.push({ path: "topicId", message: `topic ${v.topicId} does not exist` });
  if (topics.topic && topics.topic.kind !== "marketing") issues.push({ path: "topicId", message: "campaigns are sent under a marketing topic, not a transactional one" });
  for (const key of topics.unknownKeys) issues.push({ path: "audience.topics", message: `topic "${key}" does not exist` });
  for (const field of ["segments", "excludeSegments"] as const) {
    for (const id of audience?.[field] ?? []) if (!ctx.segment(id)) issues.push({ path: `audience.${field}`, message: `segment ${id} does not exist` });
  }
  issues.push(...(await checkLiquid(env, v)));
  return issues;
}

/** Subject and preheader overrides are Liquid like the template's: they must parse and render. */
async function checkLiquid(env: Env, v: CampaignValues): Promise<Issue[]> {
  const parts: [string, string | undefined][] = [
    ["subject", v.sender?.subject],
    ["preheader", v.sender?.preheader],
    ...((v.abTest as AbTest | null | undefined)?.variants.flatMap((x, i): [string, string | undefined][] => [
      [`abTest.variants.${i}.subject`, x.subject],
      [`abTest.variants.${i}.preheader`, x.preheader],
    ]) ?? []),
  ];
  if (!parts.some(([, s]) => s)) return [];
  const sample = sampleModel(storeModel(await getSettings(env.DB)), new Date().toISOString());
  const issues: Issue[] = [];
  for (const [path, source] of parts) {
    if (!source) continue;
    const problems = await validateTemplate({ subject: source, preheader: "", html: "", text: null, layout: "none" }, sample);
    for (const p of problems) issues.push({ path, message: p.message });
  }
  return issues;
}

// ---- estimate and view ---------------------------------------------------------------------------------

/** Recipients now, and how many more are in the audience but not subscribed to the campaign's topic. */
export async function estimate(env: Env, c: CampaignRow, now: number): Promise<{ recipients: number; withoutConsent: number } | { error: string }> {
  const audience = audienceOf(c);
  if (!audience.segments.length && !audience.topics.length && !audience.nonOpenersOf) return { recipients: 0, withoutConsent: 0 };
  try {
    const [ctx, topic] = await Promise.all([segmentContext(env.DB, now), consentTopicKey(env.DB, c.topicId)]);
    const [recipients, all] = await Promise.all([
      countAudience(env.DB, audienceWhere(audience, topic, ctx)),
      topic ? countAudience(env.DB, audienceWhere(audience, null, ctx)) : null,
    ]);
    return { recipients, withoutConsent: all === null ? 0 : Math.max(0, all - recipients) };
  } catch (err) {
    if (err instanceof SegmentError) return { error: err.message };
    throw err;
  }
}

/** The campaign as the API shows it. */
export function view(c: CampaignRow, progress?: Progress) {
  const { sender: _s, state: _st, localTime: _l, cursor: _c, ...row } = c;
  const envelope = envelopeOf(c);
  const st = c.state ? stateOf(c) : null;
  return {
    ...row,
    sender: { fromName: envelope.fromName ?? "", fromEmail: envelope.fromEmail ?? "", replyTo: envelope.replyTo ?? "" },
    subject: envelope.subject ?? null,
    preheader: envelope.preheader ?? null,
    phase: st?.phase ?? null,
    nextAt: st?.wakeAt ?? null,
    testEndsAt: st?.testEndsAt ?? null,
    winner: st?.winner ?? null,
    zonesDone: st?.local?.done ?? null,
    error: st?.error ?? null,
    ...(progress ? { progress: { total: c.total, enqueued: c.enqueued, ...progress } } : {}),
  };
}

export async function viewMany(env: Env, rows: CampaignRow[]) {
  const progress = await progressOf(env.DB, rows.map((r) => r.id));
  return rows.map((r) => view(r, progress.get(r.id)));
}

// ---- scheduling ----------------------------------------------------------------------------------------

/** What stops a draft from being scheduled; empty when it is ready. (The compliance lint adds its findings here.) */
export async function readiness(env: Env, c: CampaignRow, schedule: Schedule, now: number): Promise<{ issues: Issue[]; total: number | null; firstDue: number | null }> {
  const issues = await checkReferences(env, { templateId: c.templateId, topicId: c.topicId, audience: audienceOf(c), abTest: c.abTest, sender: envelopeOf(c) });
  const audience = audienceOf(c);
  const ab = c.abTest as unknown as AbTest | null;
  if (!c.templateId) issues.push({ path: "templateId", message: "choose a template" });
  if (!c.topicId) issues.push({ path: "topicId", message: "choose the topic the campaign is sent under (consent and unsubscribe refer to it)" });
  if (!audience.segments.length && !audience.topics.length && !audience.nonOpenersOf) issues.push({ path: "audience", message: "choose at least one segment or topic" });

  const settings = await getSettings(env.DB);
  const templates = await templatesById(env.DB, [c.templateId, ...(ab?.variants.map((v) => v.templateId) ?? [])].filter((x): x is number => !!x));
  const envelope = envelopeOf(c);
  for (const id of templates.keys()) {
    if (!(envelope.fromEmail || templates.get(id)!.fromEmail || settings.sender.fromEmail)) {
      issues.push({ path: "sender.fromEmail", message: "no sender address: set one on the campaign, its template or in Settings → General" });
      break;
    }
  }
  // The compliance lint: what the law and Gmail/Yahoo require of marketing email blocks scheduling.
  for (const [id, t] of templates) {
    const subject = envelope.subject ?? t.subject;
    for (const f of blocking(lintTemplate({ ...t, subject, fromEmail: envelope.fromEmail || t.fromEmail } as TemplateSource & { fromEmail: string | null }, settings))) {
      if (f.code === "sender") continue; // reported above, with the campaign's own sender in mind
      issues.push({ path: id === c.templateId ? "templateId" : "abTest.variants", message: `${t.name}: ${f.message}` });
    }
  }
  if (ab) {
    const resolved = ab.variants.map((v) => `${v.templateId ?? c.templateId}\u0000${v.subject ?? envelope.subject ?? ""}\u0000${v.preheader ?? ""}`);
    if (new Set(resolved).size < resolved.length) issues.push({ path: "abTest.variants", message: "two variants are the same: give each its own subject or template" });
    if (schedule.kind === "local") issues.push({ path: "schedule", message: "an A/B test cannot be sent at each contact's local time; send it at one time" });
  }
  if (schedule.kind === "at" && schedule.at < now - 60_000) issues.push({ path: "schedule.at", message: "that time has passed" });
  if (schedule.kind === "at" && schedule.at > now + 366 * 24 * HOUR) issues.push({ path: "schedule.at", message: "schedule at most a year ahead" });
  if (schedule.kind === "local" && lastLocalDue(schedule.date, schedule.time) <= now) issues.push({ path: "schedule", message: "that local time has passed in every time zone" });
  if (schedule.kind === "local" && lastLocalDue(schedule.date, schedule.time) > now + 366 * 24 * HOUR) issues.push({ path: "schedule", message: "schedule at most a year ahead" });
  if (issues.length) return { issues, total: null, firstDue: null };

  // The audience, as it would be sent now: not empty, and (local time) when its first time zone is due.
  if (schedule.kind === "after_parent") return { issues, total: null, firstDue: null };
  try {
    const [ctx, topic] = await Promise.all([segmentContext(env.DB, now), consentTopicKey(env.DB, c.topicId)]);
    const q = audienceWhere(audience, topic, ctx);
    const total = await countAudience(env.DB, q);
    if (!total) issues.push({ path: "audience", message: "nobody in this audience can receive it (identified, active, with an email, subscribed to the topic)" });
    let firstDue: number | null = null;
    if (schedule.kind === "local" && total) {
      const zones = await audienceZones(env.DB, q, settings.store.timezone);
      firstDue = Math.min(...zones.map((z) => localDueAt(schedule.date, schedule.time, isTimezone(z) ? z : settings.store.timezone)));
    }
    return { issues, total, firstDue };
  } catch (err) {
    if (err instanceof SegmentError) return { issues: [{ path: "audience", message: err.message }], total: null, firstDue: null };
    throw err;
  }
}

/** When a schedule's first step is due (null: a resend whose parent has not finished). */
async function wakeTime(env: Env, c: CampaignRow, schedule: Schedule, firstDue: number | null, now: number): Promise<number | null> {
  switch (schedule.kind) {
    case "now":
      return now;
    case "at":
      return Math.max(now, schedule.at);
    case "local":
      return Math.max(now, firstDue ?? now);
    case "after_parent": {
      const parent = c.parentId ? await getCampaign(env.DB, c.parentId) : null;
      return parent?.finishedAt ? parent.finishedAt + schedule.hours * HOUR : null;
    }
  }
}

/** Draft → scheduled, after the readiness checks; starts the queue chain when the start is near. */
export async function scheduleCampaign(env: Env, id: number, override: Schedule | undefined, now: number): Promise<CampaignRow> {
  const c = await getCampaign(env.DB, id);
  if (!c) throw notFound();
  if (c.status !== "draft") throw new CampaignError(409, "conflict", `The campaign is ${c.status}; only a draft can be scheduled`);
  const schedule = override ?? scheduleOf(c) ?? { kind: "now" };
  const ready = await readiness(env, c, schedule, now);
  if (ready.issues.length) throw new CampaignError(422, "not_ready", "The campaign is not ready to send", ready.issues);
  const wakeAt = await wakeTime(env, c, schedule, ready.firstDue, now);
  if (override) await updateDraft(env.DB, id, { schedule }, now);
  const state: CampaignState = { v: 0, phase: "main", wakeAt };
  const row = await transition(
    env.DB,
    id,
    ["draft"],
    "scheduled",
    () => ({ reset: true, state, write: { scheduleAt: wakeAt, cursor: 0, enqueued: 0, total: ready.total, startedAt: null, finishedAt: null } }),
    now,
  );
  if (!row) throw new CampaignError(409, "conflict", "The campaign changed meanwhile; reload it");
  if (wakeAt !== null && wakeAt - now <= MAX_DELAY_MS) await kickCampaign(env, id, now, wakeAt - now);
  return (await getCampaign(env.DB, id))!;
}

async function change(env: Env, id: number, from: readonly Status[], to: Status, patch: Parameters<typeof transition>[4], now: number, verb: string) {
  const row = await transition(env.DB, id, from, to, patch, now);
  if (row) return row;
  const c = await getCampaign(env.DB, id);
  if (!c) throw notFound();
  throw new CampaignError(409, "conflict", `A ${c.status} campaign cannot be ${verb}`);
}

export const unscheduleCampaign = (env: Env, id: number, now: number) =>
  change(env, id, ["scheduled"], "draft", () => ({ state: { wakeAt: null }, write: { scheduleAt: null } }), now, "unscheduled");

export const pauseCampaign = (env: Env, id: number, now: number) =>
  change(env, id, ["testing", "sending"], "paused", (c) => ({ state: { pausedFrom: c.status as "testing" | "sending" } }), now, "paused");

/** Back to where it was; the messages the pause held are enqueued again, then the fan-out continues. */
export async function resumeCampaign(env: Env, id: number, now: number) {
  const current = await getCampaign(env.DB, id);
  const to = (current && stateOf(current).pausedFrom) || "sending";
  const row = await change(env, id, ["paused"], to, () => ({ state: { pausedFrom: undefined, error: undefined, requeue: 0, wakeAt: now } }), now, "resumed");
  await kickCampaign(env, id, now);
  return row;
}

/** Stops everything: no more pages, queued messages cancelled, and a resend waiting on it cancelled too. */
export async function cancelCampaign(env: Env, id: number, now: number) {
  const row = await change(env, id, ["scheduled", "testing", "sending", "paused"], "cancelled", () => ({ state: { wakeAt: null }, write: { finishedAt: now } }), now, "cancelled");
  await cancelQueued(env.DB, id);
  const children = await env.DB.prepare("SELECT id FROM campaigns WHERE parent_id = ? AND status IN ('scheduled', 'paused')").bind(id).all<{ id: number }>();
  for (const child of children.results) await transition(env.DB, child.id, ["scheduled", "paused"], "cancelled", () => ({ state: { wakeAt: null }, write: { finishedAt: now } }), now);
  return (await getCampaign(env.DB, id)) ?? row;
}

/** A new draft with the same content, audience and settings. */
export async function duplicateCampaign(env: Env, id: number, now: number) {
  const c = await getCampaign(env.DB, id);
  if (!c) throw notFound();
  return createCampaign(
    env.DB,
    {
      name: `${c.name} (copy)`.slice(0, 200),
      templateId: c.templateId,
      topicId: c.topicId,
      audience: audienceOf(c),
      sender: envelopeOf(c),
      schedule: scheduleOf(c),
      abTest: c.abTest,
      maxPerHour: c.maxPerHour,
      parentId: c.parentId,
    },
    now,
  );
}

/**
 * One click: a new campaign to the parent's recipients who did not open it (people, not machine opens) nor
 * click, sent `afterHours` after the parent finished, with the same content (the A/B winner's, once there is
 * one) and optionally a new subject. Non-openers are found when the resend starts, so late openers are spared.
 */
export async function resendToNonOpeners(env: Env, id: number, input: { afterHours: number; subject?: string; name?: string }, now: number) {
  const parent = await getCampaign(env.DB, id);
  if (!parent) throw notFound();
  if (!["testing", "sending", "paused", "sent"].includes(parent.status)) throw new CampaignError(409, "conflict", `A ${parent.status} campaign has no recipients to follow up`);
  const pending = await env.DB.prepare(
    "SELECT id FROM campaigns WHERE parent_id = ? AND status IN ('scheduled', 'testing', 'sending', 'paused') AND json_extract(audience, '$.nonOpenersOf') = ? LIMIT 1",
  )
    .bind(id, id)
    .first<{ id: number }>();
  if (pending) throw new CampaignError(409, "conflict", `A resend to non-openers is already on its way (campaign ${pending.id}); cancel it first`);
  const ab = parent.abTest as unknown as AbTest | null;
  const winner = ab?.variants.find((v) => v.key === stateOf(parent).winner?.variant);
  const envelope = envelopeOf(parent);
  const subject = input.subject ?? winner?.subject ?? envelope.subject;
  const schedule: Schedule = { kind: "after_parent", hours: input.afterHours };
  const values: CampaignValues = {
    name: input.name ?? `${parent.name} — resend to non-openers`.slice(0, 200),
    templateId: winner?.templateId ?? parent.templateId,
    topicId: parent.topicId,
    audience: { segments: [], topics: [], excludeSegments: audienceOf(parent).excludeSegments, nonOpenersOf: parent.id } satisfies Audience,
    sender: { ...envelope, ...(subject ? { subject } : {}), ...(winner?.preheader ? { preheader: winner.preheader } : {}) },
    schedule,
    abTest: null,
    maxPerHour: parent.maxPerHour,
    parentId: parent.id,
  };
  const issues = await checkReferences(env, values);
  if (issues.length) throw new CampaignError(422, "not_ready", "The resend cannot be created", issues);
  const draft = await createCampaign(env.DB, values as CampaignValues & { name: string }, now);
  try {
    return await scheduleCampaign(env, draft.id, undefined, now);
  } catch (err) {
    await deleteDraft(env.DB, draft.id); // one click either makes a scheduled resend or nothing
    throw err;
  }
}

/** Ends an A/B test's wait now, with the variant an admin chose (or, without one, the best so far). */
export async function chooseWinner(env: Env, id: number, variant: string | undefined, now: number) {
  const c = await getCampaign(env.DB, id);
  if (!c) throw notFound();
  const ab = c.abTest as unknown as AbTest | null;
  if (!ab) throw new CampaignError(409, "conflict", "The campaign has no A/B test");
  if (variant && !ab.variants.some((v) => v.key === variant)) throw new CampaignError(422, "not_ready", `There is no variant "${variant}"`, [{ path: "variant", message: "not one of the test's variants" }]);
  const st = stateOf(c);
  if (c.status !== "testing") throw new CampaignError(409, "conflict", `A ${c.status} campaign is not testing`);
  if (st.phase !== "wait") throw new CampaignError(409, "conflict", "The test emails are still going out; choose a winner once they have");
  const row = await change(env, id, ["testing"], "testing", () => ({ state: variant ? { forcedWinner: variant, testEndsAt: now, wakeAt: now } : { testEndsAt: now, wakeAt: now } }), now, "decided");
  await kickCampaign(env, id, now);
  return row;
}
