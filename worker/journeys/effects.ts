/** Applying what flow steps decided: sends, contact updates, webhooks; and mirroring runs to D1. */
import type { Effect, Run } from "../core/flow-step";
import { enqueueSends } from "../delivery/enqueue";
import type { Env } from "../env";
import { chunk, insertRows } from "../store/db";
import type { SendRequest } from "../store/messages";
import { subscriptionStatements } from "../store/topics";

export async function applyEffects(env: Env, contactId: number, steps: { run: Run; effects: Effect[] }[], now: number): Promise<void> {
  const sends: SendRequest[] = [];
  const writes: D1PreparedStatement[] = [];
  const hooks: Promise<void>[] = [];
  for (const { run, effects } of steps) {
    for (const e of effects) {
      if (e.type === "send") {
        sends.push({
          idempotencyKey: e.key, contactId, templateId: e.templateId, kind: "marketing", topicId: e.topicId, flowId: run.flowId, flowNodeId: e.nodeId,
          data: e.data, trackOpens: e.trackOpens, trackClicks: e.trackClicks,
        });
      } else if (e.type === "update") {
        if (Object.keys(e.properties).length) {
          writes.push(env.DB.prepare("UPDATE contacts SET properties = json_patch(properties, ?), updated_at = ? WHERE id = ?").bind(JSON.stringify(e.properties), now, contactId));
        }
        const keys = Object.keys(e.topics);
        if (keys.length) {
          const topics = await env.DB.prepare(`SELECT id, key FROM topics WHERE key IN (${keys.map(() => "?").join(",")})`).bind(...keys).all<{ id: number; key: string }>();
          writes.push(...subscriptionStatements(env.DB, contactId, topics.results.map((t) => ({ topicId: t.id, status: e.topics[t.key]! })), { source: "flow", consentText: `flow ${run.flowId}` }, now));
        }
      } else if (e.type === "webhook") {
        hooks.push(callWebhook(e));
      }
    }
  }
  if (sends.length) await enqueueSends(env, sends, now);
  if (writes.length) await env.DB.batch(writes);
  await Promise.all(hooks);
}

/** POSTs the payload as JSON; the idempotency key lets the receiver drop a retried call. Three tries. */
async function callWebhook(e: Extract<Effect, { type: "webhook" }>): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const res = await fetch(e.url, {
        method: "POST",
        redirect: "manual", // a redirect could lead anywhere, including inside a network: not followed
        headers: { ...e.headers, "content-type": "application/json", "idempotency-key": e.key, "user-agent": "Tern-Webhook/1" },
        body: JSON.stringify(e.payload),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status < 500 && res.status !== 429) return;
    } catch {
      // network error or timeout: retried below
    }
    await scheduler.wait(500 * attempt);
  }
  console.error("flow webhook failed after 3 tries", e.url, e.nodeId);
}

/** Runs as the admin UI and segments see them, and per-step entry counts, in one D1 batch. */
export async function mirrorRuns(env: Env, runs: Run[], steps: { run: Run; effects: Effect[] }[], now: number): Promise<void> {
  if (!runs.length) return;
  const rows = runs.map((r) => [
    r.id, r.flowId, r.version, r.contactId, r.nodeId, r.status, r.exitReason, r.holdout ? 1 : 0, r.enteredAt, r.wakeAt, r.status === "completed" || r.status === "exited" ? r.updatedAt : null,
  ]);
  // Steps entered in this call: the path entries stamped now.
  const entered = new Map<string, number>();
  for (const { run } of steps) {
    for (const p of run.path) if (p.at === now && !p.note) entered.set(`${run.flowId}\u0000${p.nodeId}`, (entered.get(`${run.flowId}\u0000${p.nodeId}`) ?? 0) + 1);
  }
  const statements = insertRows(
    env.DB,
    "INSERT INTO flow_runs (id, flow_id, version, contact_id, node_id, status, exit_reason, holdout, entered_at, next_at, exited_at)",
    11,
    rows,
    `ON CONFLICT (id) DO UPDATE SET node_id = excluded.node_id, status = excluded.status, exit_reason = excluded.exit_reason,
       next_at = excluded.next_at, exited_at = excluded.exited_at`,
  );
  for (const part of chunk([...entered], 30)) {
    statements.push(
      ...part.map(([k, n]) => {
        const [flowId, nodeId] = k.split("\u0000") as [string, string];
        return env.DB.prepare("INSERT INTO flow_node_stats (flow_id, node_id, entered) VALUES (?, ?, ?) ON CONFLICT (flow_id, node_id) DO UPDATE SET entered = entered + excluded.entered")
          .bind(Number(flowId), nodeId, n);
      }),
    );
  }
  await env.DB.batch(statements);
}
