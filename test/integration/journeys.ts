/** Helpers for tests of contacts' journeys (the ContactJourney Durable Object). */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Run } from "../../worker/core/flow-step";
import type { ContactJourney } from "../../worker/journeys/contact-journey";
import { journey } from "../../worker/journeys/forward";
import { until } from "./helpers";

export const journeyStub = (contactId: number) => journey(env, contactId) as unknown as DurableObjectStub<ContactJourney>;

/** The contact's runs, newest first. RPC types cannot express Run's open-ended records; the values are plain JSON. */
export const listRuns = async (contactId: number) => (await journeyStub(contactId).listRuns()) as unknown as Run[];

/**
 * Moves every waiting run's wake time into the past and lets the alarm fire (the runtime runs a past-due alarm
 * by itself; runDurableObjectAlarm covers the case where it has not yet), then waits until no run is overdue.
 */
export async function fastForward(contactId: number) {
  await runInDurableObject(journeyStub(contactId), async (_instance, state) => {
    const past = Date.now() - 1000;
    state.storage.sql.exec("UPDATE runs SET wake_at = ?, state = json_set(state, '$.wakeAt', ?) WHERE status = 'waiting'", past, past);
    await state.storage.setAlarm(past);
  });
  await runDurableObjectAlarm(journeyStub(contactId));
  await until(async () => !(await listRuns(contactId)).some((r) => r.status === "waiting" && r.wakeAt !== null && r.wakeAt < Date.now() - 500), 5000, 50);
}
