/** Tern's Worker: the Hono app for every HTTP surface, plus the queue consumers, the cron and the Durable Object. */
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv, Env } from "./env";
import { api } from "./http/api";
import { errorResponse, HttpError } from "./http/errors";
import { ingest } from "./http/ingest";
import { purgeSessions } from "./store/auth";
import { purge as purgeRateLimits } from "./store/ratelimit";

export { ContactJourney } from "./journeys/contact-journey";

const app = new Hono<AppEnv>();

app.use("*", secureHeaders({ crossOriginResourcePolicy: false, crossOriginOpenerPolicy: false }));
app.route("/v1", ingest);
app.route("/api", api);
app.get("/healthz", (c) => c.json({ ok: true }));

app.notFound((c) => {
  const path = new URL(c.req.url).pathname;
  if (/^\/(api|v1|hooks)(\/|$)/.test(path)) return c.json({ error: { code: "not_found", message: "Not found" } }, 404);
  return c.env.ASSETS.fetch(c.req.raw);
});

app.onError((err, c) => {
  if (err instanceof HttpError) return errorResponse(c, err);
  console.error("unhandled error", c.req.method, new URL(c.req.url).pathname, err);
  return c.json({ error: { code: "internal", message: "Something went wrong on our side" } }, 500);
});

export default {
  fetch: app.fetch,

  async queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
    if (batch.queue.endsWith("-dlq")) {
      // Messages that exhausted their retries: keep them where the admin UI can show them.
      await env.DB.batch(
        batch.messages.map((m) =>
          env.DB.prepare("INSERT INTO dead_letters (queue, body, error, created_at) VALUES (?, ?, ?, ?)").bind(batch.queue, JSON.stringify(m.body), "retries exhausted", Date.now()),
        ),
      );
      batch.ackAll();
      return;
    }
    // The send consumer arrives with the sending issue; nothing produces send jobs before it.
    batch.retryAll({ delaySeconds: 60 });
  },

  async scheduled(_controller: ScheduledController, env: Env): Promise<void> {
    const now = Date.now();
    await Promise.all([purgeSessions(env.DB, now), purgeRateLimits(env.DB, now)]);
  },
} satisfies ExportedHandler<Env>;
