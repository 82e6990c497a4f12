/**
 * Campaign fan-out: one step at a time, each small and saved before the next, so a send interrupted anywhere
 * resumes where it stopped. A step is one of: start a due campaign, enqueue one page of recipients (keyset
 * by contact id → createMessages → sendBatch), pick the A/B winner, move to the next time zone, re-enqueue
 * held messages after a resume, or finish. Steps run from the CAMPAIGNS queue (a job runs a few steps, then
 * enqueues its own continuation); the cron restarts a campaign whose job went missing.
 *
 * @example
 * await stepCampaign(env, id, now);          // tests drive time; production passes Date.now()
 * await kickCampaign(env, id, Date.now());   // start (or restart) the queue chain
 */
import { isTimezone } from "../core/contact";
import { SegmentError } from "../core/segment";
import { enqueueSends } from "../delivery/enqueue";
import type { Env } from "../env";
import {
  audiencePage, audienceWhere, audienceZones, claimChain, consentTopicKey, countAudience, dueCampaigns, getCampaign, progressOf, queueBacklog, queuedPage, saveState,
  scheduleOf, stateOf, transition, variantFigures, wakeResends, type AudienceOptions, type CampaignRow, type StepWrite,
} from "../store/campaigns";
import { chunk } from "../store/db";
import type { SendRequest } from "../store/messages";
import { randomToken } from "../store/random";
import { segmentContext } from "../store/segments";
import { getSettings } from "../store/settings";
import { templatesById } from "../store/templates";
import { ACTIVE, type AbTest, type Audience, type CampaignState } from "./model";
import { abSeed, bucketWidth, HOUR, localDueAt, pickWinner, testGroupCondition, testVariant, throttleAllowance } from "./plan";

/**
 * Recipients per page: one D1 batch of inserts and at most 10 sendBatch calls. Every page evaluates the
 * audience query again (keyset: no OFFSET, no temporary table), so pages are as large as a batch allows.
 */
export const PAGE = 1000;
/**
 * The fan-out stays at most this many unsent messages ahead of the send consumer, then waits a moment: a pause
 * or cancel takes effect within seconds of sending instead of after a flooded queue, and the local queue
 * simulator (one timer per waiting message, at most 10,000) never overflows.
 */
export const MAX_BACKLOG = 5 * PAGE;
const BACKLOG_WAIT_MS = 2000;
/** How long a due campaign may sit untouched before the cron starts a new queue job for it. */
export const STALE_MS = 2 * 60_000;
const MAX_DELAY_S = 12 * 3600; // Queues' longest delay
const REQUEUE_PAGE = 1000;
const MAX_FAILURES = 5;
/** How long the winner may wait for test emails still in the queue after the test's wait is over. */
const TEST_GRACE_MS = 24 * HOUR;

export interface StepOptions {
  pageSize?: number;
  /** the queue chain this step runs for: a step of a superseded chain does nothing */
  token?: string;
  /** tests: fail after a page's messages were created and enqueued, before its cursor is saved */
  interrupt?: boolean;
  /** tests: another limit than MAX_BACKLOG */
  maxBacklog?: number;
}

export type StepResult = { next: "continue" } | { next: "wait"; until: number | null } | { next: "idle" };

export interface CampaignJob {
  campaignId: number;
  token: string;
}

export class Interrupted extends Error {}

/** A problem no retry can fix (its template was deleted): the campaign pauses with the reason. */
export class CampaignStop extends Error {}

const CONTINUE: StepResult = { next: "continue" };

/** Saves and says "continue": when the save loses a race the next step re-reads the campaign and redoes it. */
async function save(env: Env, c: CampaignRow, st: CampaignState, write: StepWrite, now: number, result: StepResult = CONTINUE): Promise<StepResult> {
  const { error: _cleared, ...rest } = st; // a step that got this far clears the failure count
  return (await saveState(env.DB, c, rest as CampaignState, write, now)) ? result : CONTINUE;
}

export async function stepCampaign(env: Env, id: number, now: number, opts: StepOptions = {}): Promise<StepResult> {
  const c = await getCampaign(env.DB, id);
  if (!c || !ACTIVE.includes(c.status)) return { next: "idle" };
  const st = stateOf(c);
  if (opts.token && st.job !== opts.token) return { next: "idle" };
  if (st.requeue !== undefined && st.requeue !== null) return requeue(env, c, st, now);
  if (c.status === "scheduled") return start(env, c, st, now);
  if (st.phase === "wait") return decide(env, c, st, now);
  if (st.phase === "test" || !st.local || st.local.pass) return fanOut(env, c, st, now, opts);
  return nextZones(env, c, st, now);
}

// ---- phases --------------------------------------------------------------------------------------------

interface Setup {
  timezone: string;
  audience: (opts?: AudienceOptions) => ReturnType<typeof audienceWhere>;
}

async function setup(env: Env, c: CampaignRow, now: number): Promise<Setup> {
  const [settings, ctx, topic] = await Promise.all([getSettings(env.DB), segmentContext(env.DB, now), consentTopicKey(env.DB, c.topicId)]);
  return { timezone: settings.store.timezone, audience: (opts) => audienceWhere(c.audience as unknown as Audience, topic, ctx, opts) };
}

async function start(env: Env, c: CampaignRow, st: CampaignState, now: number): Promise<StepResult> {
  if (st.wakeAt === null || st.wakeAt > now) return { next: "wait", until: st.wakeAt };
  const s = await setup(env, c, now);
  const ab = c.abTest as unknown as AbTest | null;
  const schedule = scheduleOf(c);
  const templateIds = [c.templateId, ...(ab?.variants.map((v) => v.templateId) ?? [])].filter((x): x is number => !!x);
  const templates = await templatesById(env.DB, templateIds);
  const missing = templateIds.find((t) => !templates.has(t));
  if (!c.templateId || missing) throw new CampaignStop(`template ${missing ?? "(none)"} no longer exists; choose another and resume`);
  if (schedule?.kind === "local") {
    // Stay "scheduled" until the first time zone's moment arrives.
    const zones = await zoneTimes(env, c, s);
    const first = Math.min(...zones.map((z) => z.dueAt));
    if (zones.length && first > now) return save(env, c, { ...st, wakeAt: first }, { scheduleAt: first }, now, { next: "wait", until: first });
  }
  const total = await countAudience(env.DB, s.audience());
  const next: CampaignState = {
    ...st,
    phase: ab ? "test" : "main",
    wakeAt: now,
    ...(ab ? { ab: { seed: abSeed(c.id), width: bucketWidth(ab) } } : {}),
    ...(schedule?.kind === "local" ? { local: { done: [], pass: null } } : {}),
  };
  return save(env, c, next, { status: ab ? "testing" : "sending", cursor: 0, enqueued: 0, total, startedAt: now }, now);
}

/** One page of recipients: the test group (each contact's variant by bucket), or the rest with the winner. */
async function fanOut(env: Env, c: CampaignRow, st: CampaignState, now: number, opts: StepOptions): Promise<StepResult> {
  const throttle = c.maxPerHour ? throttleAllowance(c.maxPerHour, st.throttle, now) : null;
  if (throttle && throttle.allow === 0) {
    const wait = { ...st, wakeAt: throttle.retryAt, throttle: { from: throttle.from, count: throttle.count } };
    return save(env, c, wait, {}, now, { next: "wait", until: throttle.retryAt });
  }
  if ((await queueBacklog(env.DB, c.id)) >= (opts.maxBacklog ?? MAX_BACKLOG)) {
    const until = now + BACKLOG_WAIT_MS;
    return save(env, c, { ...st, wakeAt: until }, {}, now, { next: "wait", until });
  }
  const s = await setup(env, c, now);
  const ab = c.abTest as unknown as AbTest | null;
  const testing = st.phase === "test";
  const keys = ab?.variants.map((v) => v.key) ?? [];
  const q = s.audience({
    ...(ab && st.ab ? { extra: testGroupCondition(st.ab.seed, st.ab.width, keys.length, testing) } : {}),
    ...(st.local?.pass ? { zones: { list: st.local.pass, fallback: s.timezone } } : {}),
  });
  const size = Math.min(opts.pageSize ?? PAGE, throttle?.allow ?? Infinity);
  const ids = await audiencePage(env.DB, q, c.cursor ?? 0, size);
  if (!ids.length) return passDone(env, c, st, now);

  const requests: SendRequest[] = ids.map((contactId) => {
    const key = testing ? testVariant(contactId, st.ab!.seed, st.ab!.width, keys) : (st.winner?.variant ?? null);
    const variant = key ? ab?.variants.find((v) => v.key === key) : undefined;
    return {
      idempotencyKey: `campaign:${c.id}:${contactId}`,
      contactId,
      templateId: variant?.templateId ?? c.templateId!,
      kind: "marketing",
      topicId: c.topicId,
      campaignId: c.id,
      variant: key,
    };
  });
  await enqueueSends(env, requests, now);
  if (opts.interrupt) throw new Interrupted(`interrupted after enqueueing contacts ${ids[0]}–${ids[ids.length - 1]}`);
  const next: CampaignState = { ...st, wakeAt: now, ...(throttle ? { throttle: { from: throttle.from, count: throttle.count + ids.length } } : {}) };
  return save(env, c, next, { cursor: ids[ids.length - 1]!, enqueued: c.enqueued + ids.length }, now);
}

/** The page query came back empty: the test is out, a time zone group is done, or the campaign is. */
async function passDone(env: Env, c: CampaignRow, st: CampaignState, now: number): Promise<StepResult> {
  if (st.phase === "test") {
    const ab = c.abTest as unknown as AbTest;
    const testEndsAt = now + Math.round(ab.waitHours * HOUR);
    return save(env, c, { ...st, phase: "wait", testEndsAt, wakeAt: testEndsAt }, { cursor: 0 }, now, { next: "wait", until: testEndsAt });
  }
  if (st.local?.pass) {
    return save(env, c, { ...st, local: { done: [...st.local.done, ...st.local.pass], pass: null }, wakeAt: now }, { cursor: 0 }, now);
  }
  const done = await save(env, c, { ...st, phase: "done", wakeAt: null }, { status: "sent", finishedAt: now }, now, { next: "idle" });
  if (done.next === "idle") await wakeResends(env.DB, c.id, now);
  return done;
}

/** After the wait (or when an admin chose), the best variant by the campaign's metric; then the rest. */
async function decide(env: Env, c: CampaignRow, st: CampaignState, now: number): Promise<StepResult> {
  const ab = c.abTest as unknown as AbTest;
  if (!st.forcedWinner && (st.testEndsAt ?? 0) > now) return { next: "wait", until: st.testEndsAt ?? null };
  // Judging variants whose emails are still in the queue (a slow provider, quiet hours) would be judging nothing.
  const inFlight = (await progressOf(env.DB, [c.id])).get(c.id)!;
  if (!st.forcedWinner && inFlight.queued + inFlight.sending > 0 && now < (st.testEndsAt ?? 0) + TEST_GRACE_MS) {
    const until = now + 5 * 60_000;
    return save(env, c, { ...st, wakeAt: until }, {}, now, { next: "wait", until });
  }
  const keys = ab.variants.map((v) => v.key);
  const picked = pickWinner(ab.metric, keys, (await variantFigures(env.DB, c.id)).filter((f) => keys.includes(f.variant)));
  const forced = st.forcedWinner && keys.includes(st.forcedWinner) ? st.forcedWinner : null;
  const winner = { variant: forced ?? picked.variant, metric: ab.metric, decidedAt: now, how: forced ? ("manual" as const) : ("auto" as const), figures: picked.figures };
  const { forcedWinner: _used, ...rest } = st;
  return save(env, c, { ...rest, phase: "main", winner, wakeAt: now }, { status: "sending", cursor: 0 }, now);
}

interface ZoneTime {
  zone: string;
  dueAt: number;
}

/** The recipients' time zones and when the campaign's local time arrives in each. */
async function zoneTimes(env: Env, c: CampaignRow, s: Setup): Promise<ZoneTime[]> {
  const schedule = scheduleOf(c);
  if (schedule?.kind !== "local") return [];
  const zones = await audienceZones(env.DB, s.audience(), s.timezone);
  // A contact's zone the runtime does not know sends at the store's local time.
  return zones.map((zone) => ({ zone, dueAt: localDueAt(schedule.date, schedule.time, isTimezone(zone) ? zone : s.timezone) }));
}

/** Local-time send between passes: start a pass over every zone whose moment has come, or wait for the next. */
async function nextZones(env: Env, c: CampaignRow, st: CampaignState, now: number): Promise<StepResult> {
  const local = st.local!;
  const pending = (await zoneTimes(env, c, await setup(env, c, now))).filter((z) => !local.done.includes(z.zone));
  const due = pending.filter((z) => z.dueAt <= now).map((z) => z.zone);
  if (due.length) return save(env, c, { ...st, local: { ...local, pass: due }, wakeAt: now }, { cursor: 0 }, now);
  if (pending.length) {
    const until = Math.min(...pending.map((z) => z.dueAt));
    return save(env, c, { ...st, wakeAt: until }, {}, now, { next: "wait", until });
  }
  return passDone(env, c, { ...st, local: { ...local, pass: null } }, now);
}

/** After a resume: the messages the pause held are still queued; send their jobs again, a page at a time. */
async function requeue(env: Env, c: CampaignRow, st: CampaignState, now: number): Promise<StepResult> {
  const rows = await queuedPage(env.DB, c.id, st.requeue ?? 0, REQUEUE_PAGE);
  if (!rows.length) return save(env, c, { ...st, requeue: null, wakeAt: now }, {}, now);
  for (const part of chunk(rows, 100)) await env.SEND.sendBatch(part.map((m) => ({ body: { id: m.id } })));
  return save(env, c, { ...st, requeue: rows[rows.length - 1]!.rowid, wakeAt: now }, {}, now);
}

// ---- running -------------------------------------------------------------------------------------------

/** Runs steps while there is work, within a budget, and says what should happen next. */
export async function runCampaign(env: Env, id: number, clock: () => number, opts: StepOptions & { maxSteps?: number; budgetMs?: number } = {}): Promise<StepResult> {
  const started = clock();
  for (let i = 0; ; i++) {
    const r = await stepCampaign(env, id, clock(), opts);
    if (r.next !== "continue" || i + 1 >= (opts.maxSteps ?? 12) || clock() - started > (opts.budgetMs ?? 10_000)) return r;
  }
}

/** Starts a new queue chain for the campaign (after an optional delay); an older chain stops at its next job. */
export async function kickCampaign(env: Env, id: number, now: number, delayMs = 0): Promise<void> {
  const token = randomToken(9);
  await claimChain(env.DB, id, token, now);
  const delaySeconds = Math.ceil(Math.max(0, delayMs) / 1000);
  await env.CAMPAIGNS.send({ campaignId: id, token } satisfies CampaignJob, delaySeconds ? { delaySeconds: Math.min(delaySeconds, MAX_DELAY_S) } : undefined);
}

/** The cron's part (every minute): start due campaigns and restart any whose queue job went missing. */
export async function checkCampaigns(env: Env, now: number): Promise<number[]> {
  const ids = await dueCampaigns(env.DB, now, STALE_MS);
  for (const id of ids) await kickCampaign(env, id, now);
  return ids;
}

const isJob = (b: unknown): b is CampaignJob => {
  const j = b as CampaignJob;
  return !!j && Number.isInteger(j.campaignId) && typeof j.token === "string";
};

/** The CAMPAIGNS queue consumer (max_concurrency 1: one campaign step at a time across the account). */
export async function handleCampaignBatch(batch: MessageBatch<unknown>, env: Env, clock: () => number = Date.now): Promise<void> {
  for (const m of batch.messages) {
    if (!isJob(m.body)) {
      m.ack();
      continue;
    }
    const job = m.body;
    try {
      const r = await runCampaign(env, job.campaignId, clock, { token: job.token });
      if (r.next === "continue") await env.CAMPAIGNS.send(job);
      else if (r.next === "wait" && r.until !== null && r.until - clock() <= MAX_DELAY_S * 1000) {
        const delaySeconds = Math.ceil((r.until - clock()) / 1000);
        await env.CAMPAIGNS.send(job, delaySeconds > 0 ? { delaySeconds } : undefined);
      } // a longer wait: the cron starts a chain when it is due
      m.ack();
    } catch (err) {
      console.error("campaign step failed", job.campaignId, err);
      if (await recordFailure(env, job.campaignId, err, clock())) m.ack();
      else m.retry({ delaySeconds: 30 });
    }
  }
}

/**
 * Counts a failed step. A problem that cannot fix itself (a segment of the audience was deleted), or the fifth
 * failure in a row, pauses the campaign with the reason shown in the admin UI; returns true then.
 */
export async function recordFailure(env: Env, id: number, err: unknown, now: number): Promise<boolean> {
  const c = await getCampaign(env.DB, id);
  if (!c || !ACTIVE.includes(c.status)) return true;
  const error = { message: (err instanceof Error ? err.message : String(err)).slice(0, 500), at: now, count: (stateOf(c).error?.count ?? 0) + 1 };
  const stop = err instanceof SegmentError || err instanceof CampaignStop || error.count >= MAX_FAILURES;
  const pausedFrom = c.status as NonNullable<CampaignState["pausedFrom"]>;
  const done = await transition(env.DB, id, [c.status], stop ? "paused" : c.status, () => ({ state: { error, ...(stop ? { pausedFrom } : {}) } }), now).catch(() => null);
  return stop && !!done;
}
