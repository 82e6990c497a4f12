/** Tern's Worker: the Hono app for every HTTP surface, plus the queue consumers, the cron and the Durable Object. */
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv, Env } from "./env";
import { api } from "./http/api";
import { forms } from "./http/forms";
import { errorResponse, HttpError } from "./http/errors";
import { hooks } from "./http/hooks";
import { ingest } from "./http/ingest";
import { preferences } from "./http/preferences";
import { invalidLink, track, trackingHit } from "./http/track";
import { recordDeadLetters } from "./delivery/dead-letters";
import { MissingSecretError } from "./delivery/links";
import { handleSendBatch, type SendJob } from "./delivery/send";
import { handleTrackBatch } from "./delivery/track";
import { runCron } from "./cron";
import { handleCampaignBatch } from "./campaigns/fanout";

export { ContactJourney } from "./journeys/contact-journey";

const app = new Hono<AppEnv>();

app.use("*", secureHeaders({ crossOriginResourcePolicy: false, crossOriginOpenerPolicy: false }));
app.route("/v1", ingest);
app.route("/api", api);
app.route("/hooks", hooks);
app.route("/forms", forms);
app.route("/", track);
app.route("/", preferences);
app.get("/healthz", (c) => c.json({ ok: true }));

app.notFound(async (c) => {
  const path = new URL(c.req.url).pathname;
  if (/^\/(api|v1|hooks|forms)(\/|$)/.test(path)) return c.json({ error: { code: "not_found", message: "Not found" } }, 404);
  if (/^\/[ocupv](\/|$)/.test(path)) return invalidLink(); // a link from an email, cut short or mangled
  // A copy: the assets binding's headers are immutable, and the security-header middleware adds to them.
  const res = await c.env.ASSETS.fetch(c.req.raw);
  return new Response(res.body, res);
});

app.onError((err, c) => {
  if (err instanceof HttpError) return errorResponse(c, err);
  if (err instanceof MissingSecretError) return c.json({ error: { code: "not_configured", message: err.message } }, 503);
  console.error("unhandled error", c.req.method, new URL(c.req.url).pathname, err);
  return c.json({ error: { code: "internal", message: "Something went wrong on our side" } }, 500);
});

export default {
  async fetch(req: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    try {
      const hit = await trackingHit(req, env, ctx); // the open pixel and click redirect, past the router
      if (hit) return hit;
    } catch (err) {
      if (err instanceof MissingSecretError) return Response.json({ error: { code: "not_configured", message: err.message } }, { status: 503 });
      throw err;
    }
    return app.fetch(req, env, ctx);
  },

  async queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
    if (batch.queue.endsWith("-dlq")) return recordDeadLetters(batch, env);
    if (batch.queue.startsWith("tern-send")) return handleSendBatch(batch as MessageBatch<SendJob>, env);
    if (batch.queue === "tern-track") return handleTrackBatch(batch, env);
    if (batch.queue === "tern-campaigns") return handleCampaignBatch(batch, env);
    console.error("message from an unknown queue", batch.queue);
    batch.retryAll({ delaySeconds: 300 });
  },

  async scheduled(controller: ScheduledController, env: Env): Promise<void> {
    await runCron(env, controller.scheduledTime || Date.now());
  },
} satisfies ExportedHandler<Env>;
