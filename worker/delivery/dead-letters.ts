/** Jobs that exhausted their retries: kept for the admin UI, and their messages marked failed. */
import type { Env } from "../env";

export async function recordDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const now = Date.now();
  const statements: D1PreparedStatement[] = [];
  for (const m of batch.messages) {
    statements.push(env.DB.prepare("INSERT INTO dead_letters (queue, body, error, created_at) VALUES (?, ?, ?, ?)").bind(batch.queue, JSON.stringify(m.body), "retries exhausted", now));
    const id = (m.body as { id?: unknown } | null)?.id;
    if (typeof id === "string") {
      statements.push(
        env.DB.prepare("UPDATE messages SET status = 'failed', error = 'retries exhausted: ' || coalesce(error, 'unknown error') WHERE id = ? AND status IN ('queued', 'sending')").bind(id),
      );
    }
  }
  await env.DB.batch(statements);
  batch.ackAll();
}
