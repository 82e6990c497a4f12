/** createProvider hands out the adapter named in Settings (or EMAIL_PROVIDER). */
import { expect, it } from "vitest";
import { createProvider, type ProviderName } from "../../worker/delivery/providers/index";
import { context } from "./helpers";

it.each(["smtp", "resend", "postmark", "ses", "sendgrid", "mailgun", "cloudflare"] as ProviderName[])("createProvider(%s)", (name) => {
  expect(createProvider(name, context()).name).toBe(name);
});
