/**
 * ContactJourney: one Durable Object per contact (named by contact id) holding that contact's flow runs in
 * SQLite, with exactly one alarm armed at the earliest due time. Events start and advance runs; the alarm
 * advances due ones. Each step is the pure interpreter in core/flow-step; this object loads facts, applies
 * effects (sends go to the SEND queue with the run's idempotency keys, so a retried alarm never sends twice),
 * persists the runs and mirrors them to D1 for reporting.
 */
import { DurableObject } from "cloudflare:workers";
import { usesSegments, type FlowDefinition } from "../core/flow";
import { startRun, step, triggers, type Effect, type Input, type Run, type RunEvent } from "../core/flow-step";
import type { SegmentContext } from "../core/segment";
import type { Env } from "../env";
import { flowStates, flowVersion, type LiveFlow } from "../store/flows";
import { randomToken } from "../store/random";
import { segmentContext } from "../store/segments";
import { applyEffects, mirrorRuns } from "./effects";
import { loadFacts, type JourneyFacts } from "./facts";

/** The segment context of a flow without segment conditions: step() never reads it (usesSegments is false). */
const noSegments = (now: number): SegmentContext => ({ now, lapsedDays: 0, churnedDays: 0, segment: () => undefined });

export class ContactJourney extends DurableObject<Env> {
  /** published versions never change: kept for the life of the object */
  private versions = new Map<string, FlowDefinition>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => this.createTables());
  }

  private createTables(): void {
    const sql = this.ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS runs (
      id TEXT PRIMARY KEY, flow_id INTEGER NOT NULL, version INTEGER NOT NULL, status TEXT NOT NULL, wake_at INTEGER, state TEXT NOT NULL
    )`);
    sql.exec("CREATE TABLE IF NOT EXISTS entries (flow_id INTEGER NOT NULL, entered_at INTEGER NOT NULL)");
    sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  }

  /** Events that happened to the contact: advance waiting runs, exit on goals, start triggered flows. */
  async onEvents(contactId: number, events: RunEvent[]): Promise<void> {
    await this.process(contactId, Date.now(), async (runs, flows, now) => {
      const out: [Run, Input][] = [];
      for (const e of [...events].sort((a, b) => a.occurredAt - b.occurredAt)) {
        for (const run of runs.values()) if (run.status === "waiting" || run.status === "active") out.push([run, { type: "event", event: e }]);
        for (const flow of flows) {
          if (!triggers(flow.definition, e)) continue;
          const run = this.begin(contactId, flow, e.properties, now, runs, e);
          if (run) out.push([run, { type: "start" }]);
        }
      }
      return out;
    });
  }

  /** Starts a flow for this contact (manual/API, segment entry, date triggers); returns the run id or null. */
  async startFlow(contactId: number, flowId: number, trigger: Record<string, unknown> = {}): Promise<string | null> {
    let started: string | null = null;
    await this.process(contactId, Date.now(), async (runs, flows, now) => {
      const flow = flows.find((f) => f.id === flowId);
      const run = flow ? this.begin(contactId, flow, trigger, now, runs) : null;
      started = run?.id ?? null;
      return run ? [[run, { type: "start" }]] : [];
    });
    return started;
  }

  override async alarm(): Promise<void> {
    const contactId = Number(this.meta("contact"));
    if (!contactId) return;
    await this.process(contactId, Date.now(), async (runs, _flows, now) =>
      [...runs.values()].filter((r) => r.status === "waiting" && r.wakeAt !== null && r.wakeAt <= now).map((r): [Run, Input] => [r, { type: "alarm" }]),
    );
  }

  /** The contact's runs, newest first (reporting, tests). */
  async listRuns(): Promise<Run[]> {
    return this.ctx.storage.sql
      .exec<{ state: string }>("SELECT state FROM runs ORDER BY rowid DESC")
      .toArray()
      .map((r) => JSON.parse(r.state) as Run);
  }

  /** Forgets everything about the contact (GDPR erasure). */
  async erase(): Promise<void> {
    // Synchronous deletes: no other call can run in between and find the tables half gone.
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM runs");
    sql.exec("DELETE FROM entries");
    sql.exec("DELETE FROM meta");
    await this.ctx.storage.deleteAlarm();
  }

  // ---- the step loop ----------------------------------------------------------------------------------

  private begin(contactId: number, flow: LiveFlow, trigger: Record<string, unknown>, now: number, runs: Map<string, Run>, triggerEvent: RunEvent | null = null): Run | null {
    const previous = this.ctx.storage.sql.exec<{ t: number }>("SELECT entered_at AS t FROM entries WHERE flow_id = ?", flow.id).toArray().map((r) => r.t);
    const active = [...runs.values()].some((r) => r.flowId === flow.id && (r.status === "active" || r.status === "waiting"));
    const run = startRun(flow.definition, { id: `r_${randomToken(12)}`, flowId: flow.id, version: flow.version, contactId, trigger, triggerEvent: triggerEvent?.name ?? null, triggerAt: triggerEvent?.occurredAt ?? null, now, previousEntries: previous, active });
    if (!run) return null;
    runs.set(run.id, run);
    this.ctx.storage.sql.exec("INSERT INTO entries (flow_id, entered_at) VALUES (?, ?)", flow.id, now);
    return run;
  }

  private async process(contactId: number, now: number, plan: (runs: Map<string, Run>, flows: LiveFlow[], now: number) => Promise<[Run, Input][]>): Promise<void> {
    this.setMeta("contact", String(contactId));
    const runs = this.activeRuns();
    // Which flows are live or paused is read fresh every time: a pause must hold runs at once.
    const states = await flowStates(this.env.DB);
    const flows = await this.liveFlows(states.filter((f) => f.status === "live"));
    const work = await plan(runs, flows, now);
    if (!work.length) return this.arm();

    let facts: JourneyFacts | null = null;
    let segments: SegmentContext | null = null;
    const changed: Run[] = [];
    const effects: { run: Run; effects: Effect[] }[] = [];
    const statuses = new Map(states.map((f) => [f.id, f.status as string]));
    for (const [before, input] of work) {
      const current = runs.get(before.id)!; // a run may take several inputs in one call (events in order)
      const status = statuses.get(current.flowId) ?? "archived";
      if (status === "paused") {
        // A paused flow holds its runs: look again in ten minutes.
        if (input.type === "alarm") {
          runs.set(current.id, { ...current, wakeAt: now + 10 * 60_000 });
          changed.push(runs.get(current.id)!);
        }
        continue;
      }
      if (status !== "live") {
        runs.set(current.id, { ...current, status: "exited", exitReason: `the flow was ${status}`, wakeAt: null, updatedAt: now });
        changed.push(runs.get(current.id)!);
        continue;
      }
      const def = await this.definition(current.flowId, current.version);
      if (!def) {
        runs.set(current.id, { ...current, status: "exited", exitReason: "the flow version no longer exists", wakeAt: null, updatedAt: now });
        changed.push(runs.get(current.id)!);
        continue;
      }
      facts ??= await loadFacts(this.env.DB, contactId, Math.min(...[...runs.values()].map((r) => r.enteredAt)), [...runs.values()].flatMap((r) => r.sent.map((s) => s.key)));
      if (!facts.exists) {
        runs.set(current.id, { ...current, status: "exited", exitReason: "the contact was erased", wakeAt: null, updatedAt: now });
        changed.push(runs.get(current.id)!);
        continue;
      }
      // Saved segments and settings cost two D1 reads: only flows with segment conditions need them.
      if (!segments && usesSegments(def)) segments = await segmentContext(this.env.DB, now);
      const result = step(def, current, input, { now, facts: facts.facts, segments: segments ?? noSegments(now), timezone: facts.timezone, engagement: facts.engagement });
      const moved = result.effects.length || result.run.status !== current.status || result.run.nodeId !== current.nodeId || result.run.wakeAt !== current.wakeAt;
      if (!moved) continue; // an event this run does not wait for
      runs.set(result.run.id, result.run);
      changed.push(result.run);
      effects.push({ run: result.run, effects: result.effects });
    }
    // Effects first, state after: if this invocation dies in between, the retry recomputes the same idempotency
    // keys from the old state and nothing is sent twice.
    await applyEffects(this.env, contactId, effects, now);
    for (const run of new Map(changed.map((r) => [r.id, r])).values()) {
      this.ctx.storage.sql.exec(
        "INSERT INTO runs (id, flow_id, version, status, wake_at, state) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET status = excluded.status, wake_at = excluded.wake_at, state = excluded.state",
        run.id, run.flowId, run.version, run.status, run.wakeAt, JSON.stringify(run),
      );
    }
    await mirrorRuns(this.env, [...new Map(changed.map((r) => [r.id, r])).values()], effects, now);
    await this.arm();
  }

  private activeRuns(): Map<string, Run> {
    const rows = this.ctx.storage.sql.exec<{ state: string }>("SELECT state FROM runs WHERE status IN ('active', 'waiting')").toArray();
    return new Map(rows.map((r) => {
      const run = JSON.parse(r.state) as Run;
      return [run.id, run];
    }));
  }

  /** One alarm, at the earliest wake time of any waiting run. */
  private async arm(): Promise<void> {
    const next = this.ctx.storage.sql.exec<{ t: number | null }>("SELECT min(wake_at) AS t FROM runs WHERE status = 'waiting' AND wake_at IS NOT NULL").one().t;
    if (next === null) await this.ctx.storage.deleteAlarm();
    else if ((await this.ctx.storage.getAlarm()) !== next) await this.ctx.storage.setAlarm(next);
  }

  private async liveFlows(live: { id: number; version: number }[]): Promise<LiveFlow[]> {
    const out: LiveFlow[] = [];
    for (const f of live) {
      const definition = await this.definition(f.id, f.version);
      if (definition) out.push({ id: f.id, version: f.version, definition });
    }
    return out;
  }

  private async definition(flowId: number, version: number): Promise<FlowDefinition | null> {
    const key = `${flowId}:${version}`;
    if (!this.versions.has(key)) {
      const def = await flowVersion(this.env.DB, flowId, version);
      if (!def) return null;
      this.versions.set(key, def);
    }
    return this.versions.get(key)!;
  }

  private meta(key: string): string | null {
    return this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  private setMeta(key: string, value: string): void {
    this.ctx.storage.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
  }
}
