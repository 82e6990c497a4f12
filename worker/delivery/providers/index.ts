/** Picks the configured provider adapter. Each adapter lives in its own file behind the Provider interface. */
import type { Settings } from "../../core/settings";
import type { Env } from "../../env";
import type { Provider } from "./types";

export interface ProviderContext {
  settings: Settings["sending"];
  env: Env;
}

export type ProviderFactory = (ctx: ProviderContext) => Provider;

export type ProviderName = Exclude<Settings["sending"]["provider"], "">;

/** The Worker secrets each provider needs (set with `wrangler secret put NAME`). */
export const PROVIDER_SECRETS: Record<ProviderName, (keyof Env & string)[]> = {
  outbox: [],
  smtp: ["SMTP_PASSWORD"],
  resend: ["RESEND_API_KEY"],
  postmark: ["POSTMARK_SERVER_TOKEN"],
  ses: ["SES_ACCESS_KEY_ID", "SES_SECRET_ACCESS_KEY"],
  sendgrid: ["SENDGRID_API_KEY"],
  mailgun: ["MAILGUN_API_KEY"],
  cloudflare: [],
};

/** The provider in use: the one chosen in Settings, else the EMAIL_PROVIDER variable, else the outbox. */
export function providerName(settings: Settings["sending"], env: Env): ProviderName {
  const chosen = settings.provider || env.EMAIL_PROVIDER || "outbox";
  return (["outbox", "smtp", "resend", "postmark", "ses", "sendgrid", "mailgun", "cloudflare"] as const).find((p) => p === chosen) ?? "outbox";
}

import { cloudflare } from "./cloudflare";
import { mailgun } from "./mailgun";
import { outbox } from "./outbox";
import { postmark } from "./postmark";
import { resend } from "./resend";
import { sendgrid } from "./sendgrid";
import { ses } from "./ses";
import { smtp } from "./smtp";

// Adapters register here, one file each behind the Provider interface.
const factories: Partial<Record<ProviderName, ProviderFactory>> = { outbox, smtp, resend, postmark, ses, sendgrid, mailgun, cloudflare };

export function createProvider(name: ProviderName, ctx: ProviderContext): Provider {
  const factory = factories[name];
  if (!factory) {
    return { name, send: async () => ({ ok: false, retryable: false, error: `the ${name} provider is not available in this build` }) };
  }
  return factory(ctx);
}
