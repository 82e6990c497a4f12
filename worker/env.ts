/** Bindings and settings the Worker runs with (see wrangler.toml), and the Hono context type. */
import type { ContactJourney } from "./journeys/contact-journey";

export interface Env {
  DB: D1Database;
  JOURNEYS: DurableObjectNamespace<ContactJourney>;
  SEND: Queue<unknown>;
  ASSETS: Fetcher;
  /** outbox (default), smtp, resend, postmark, ses, sendgrid, mailgun, cloudflare */
  EMAIL_PROVIDER?: string;
  /** HMAC secret for links in emails (set with `wrangler secret put TERN_SECRET`) */
  TERN_SECRET?: string;
}

export interface Principal {
  kind: "session" | "api_key";
  userId: number | null;
  email: string | null;
  name: string;
  role: "owner" | "admin";
  /** for sessions: the token state-changing requests must echo in X-CSRF-Token */
  csrfToken?: string;
  sessionHash?: string;
  apiKeyId?: number;
}

export type AppEnv = { Bindings: Env; Variables: { principal: Principal } };
