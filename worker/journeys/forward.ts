/**
 * Hands events to contacts' journeys, but only events some live flow listens to (its trigger, a wait, its goal,
 * unsubscribes): the set of names is cached per isolate, so most events never touch a Durable Object.
 */
import type { RunEvent } from "../core/flow-step";
import type { ContactEvent } from "../store/events";
import type { Env } from "../env";
import { liveEventNames } from "../store/flows";

const TTL_MS = 30_000;
let cache: { at: number; names: Set<string> } | null = null;

/** Forget the cached names (after publishing or pausing a flow in this isolate). */
export function forgetLiveEvents(): void {
  cache = null;
}

export type { ContactEvent };

export async function forwardToJourneys(env: Env, events: ContactEvent[], now = Date.now()): Promise<void> {
  if (!events.length) return;
  if (!cache || now - cache.at > TTL_MS) cache = { at: now, names: await liveEventNames(env.DB) };
  const names = cache.names;
  const byContact = new Map<number, RunEvent[]>();
  for (const e of events) {
    if (!names.has(e.name)) continue;
    byContact.set(e.contactId, [...(byContact.get(e.contactId) ?? []), { name: e.name, properties: e.properties, occurredAt: e.occurredAt }]);
  }
  // A few contacts at a time: a 500-event batch must not open hundreds of Durable Object calls at once.
  const queue = [...byContact];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [contactId, list] = next;
      try {
        await journey(env, contactId).onEvents(contactId, list);
      } catch (err) {
        console.error("journey did not take events", contactId, err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
}

/** Journeys one forward call talks to at the same time. */
const PARALLEL = 8;

export const journey = (env: Env, contactId: number) => env.JOURNEYS.get(env.JOURNEYS.idFromName(String(contactId)));
