/** Producers call this: rows in D1 first (idempotent), then small `{ id }` jobs on the right queue. */
import type { Env } from "../env";
import { chunk } from "../store/db";
import { createMessages, type SendRequest } from "../store/messages";

/** Queues sends; returns the ids of the messages waiting to go out (a repeated call enqueues nothing new). */
export async function enqueueSends(env: Env, requests: SendRequest[], now: number): Promise<string[]> {
  const created = await createMessages(env.DB, requests, now);
  const transactional = created.filter((m) => m.kind === "transactional");
  const bulk = created.filter((m) => m.kind !== "transactional");
  // sendBatch takes at most 100 messages per call.
  for (const part of chunk(transactional, 100)) await env.SEND_TX.sendBatch(part.map((m) => ({ body: { id: m.id } })));
  for (const part of chunk(bulk, 100)) await env.SEND.sendBatch(part.map((m) => ({ body: { id: m.id } })));
  return created.map((m) => m.id);
}
