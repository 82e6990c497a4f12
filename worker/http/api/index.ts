/** /api/* — the admin JSON API. Everything except setup/login needs a session or an API key. */
import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { z } from "zod";
import { dashboard } from "../../store/dashboard";
import { overview } from "../../store/stats";
import { parseWith } from "../body";
import { HttpError } from "../errors";
import { privateAuth, publicAuth } from "./auth";
import { campaignsApi } from "./campaigns";
import { contactsApi } from "./contacts";
import { flowsApi } from "./flows";
import { formsApi } from "./forms";
import { importsApi } from "./imports";
import { apiKeysApi, writeKeysApi } from "./keys";
import { requireAuth } from "./session";
import { messagesApi, outboxApi } from "./outbox";
import { reportsApi } from "./reports";
import { segmentsApi } from "./segments";
import { sendApi } from "./send";
import { settingsApi, topicsApi } from "./settings";
import { suppressionsApi } from "./suppressions";
import { templatesApi } from "./templates";

export const api = new Hono<AppEnv>();

api.use("*", async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
});

api.route("/auth", publicAuth);
api.use("*", requireAuth);
api.route("/auth", privateAuth);
api.route("/contacts", contactsApi);
api.route("/imports", importsApi);
api.route("/topics", topicsApi);
api.route("/settings", settingsApi);
api.route("/suppressions", suppressionsApi);
api.route("/write-keys", writeKeysApi);
api.route("/api-keys", apiKeysApi);
api.route("/templates", templatesApi);
api.route("/send", sendApi);
api.route("/outbox", outboxApi);
api.route("/messages", messagesApi);
api.route("/reports", reportsApi);
api.route("/segments", segmentsApi);
api.route("/flows", flowsApi);
api.route("/campaigns", campaignsApi);
api.route("/forms", formsApi);
api.get("/stats/overview", async (c) => c.json(await overview(c.env.DB, Date.now())));
api.get("/stats/dashboard", async (c) => {
  const { days } = parseWith(z.object({ days: z.coerce.number().int().min(7).max(365).default(30) }), c.req.query());
  return c.json(await dashboard(c.env.DB, Date.now(), days));
});

api.all("*", () => {
  throw new HttpError(404, "not_found", "No such API endpoint");
});
