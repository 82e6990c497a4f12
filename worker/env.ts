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
  /** transactional sends: a queue of their own so they never wait behind a campaign */
  SEND_TX: Queue<unknown>;
  /** open/click hits, recorded in batches off the request path */
  TRACK: Queue<unknown>;
  /** campaign fan-out steps (worker/campaigns/fanout.ts), one at a time */
  CAMPAIGNS: Queue<unknown>;
  /** Cloudflare Email Service binding, for the `cloudflare` provider */
  EMAIL?: SendEmail;
  // Provider secrets (Worker secrets; never stored in D1 nor returned by the API).
  SMTP_PASSWORD?: string;
  RESEND_API_KEY?: string;
  POSTMARK_SERVER_TOKEN?: string;
  SES_ACCESS_KEY_ID?: string;
  SES_SECRET_ACCESS_KEY?: string;
  SENDGRID_API_KEY?: string;
  MAILGUN_API_KEY?: string;
  // Webhook verification secrets.
  RESEND_WEBHOOK_SECRET?: string;
  MAILGUN_WEBHOOK_SIGNING_KEY?: string;
  POSTMARK_WEBHOOK_TOKEN?: string;
  SENDGRID_WEBHOOK_PUBLIC_KEY?: string;
  /** SNS topic ARN(s), comma-separated, whose SES notifications are accepted */
  SES_WEBHOOK_TOPIC_ARN?: string;
  /** Cloudflare Turnstile secret, for signup forms that turn Turnstile on */
  TURNSTILE_SECRET?: string;
  /** overrides Turnstile's siteverify endpoint (tests use a local stand-in) */
  TURNSTILE_VERIFY_URL?: string;
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
