/**
 * ContactJourney: one Durable Object per contact (named by contact id) that will hold the contact's flow runs
 * and their timers. The flows issue implements the runs; until then the object keeps only its storage schema,
 * so the binding, the SQLite class migration and eviction behave as in production from day one.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export class ContactJourney extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS runs (
        id TEXT PRIMARY KEY, flow_id INTEGER NOT NULL, version INTEGER NOT NULL, state TEXT NOT NULL, due_at INTEGER
      )`);
    });
  }

  /** How many runs this contact has in flight (reporting and tests). */
  async activeRuns(): Promise<number> {
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM runs").one().n;
  }
}
