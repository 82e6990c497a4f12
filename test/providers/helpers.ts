/** Helpers for provider tests (workerd side): settings pointing at the local servers, a realistic email, what the servers saw. */
import { inject } from "vitest";
import { buildMessage, type OutgoingEmail } from "../../worker/core/message";
import { settingsSchema, type Settings } from "../../worker/core/settings";
import type { ProviderContext } from "../../worker/delivery/providers/index";
import type { Env } from "../../worker/env";
import type { Seen } from "./mock-api";
import { SECRETS } from "./credentials";

export const api = () => inject("providerApi");

export function context(sending: Partial<Settings["sending"]> = {}, env: Partial<Env> = {}, timeoutMs = 2000): ProviderContext & { timeoutMs: number } {
  return {
    settings: { ...settingsSchema.parse({}).sending, apiBaseUrl: api(), ...sending },
    env: { ...SECRETS, ...env } as unknown as Env,
    timeoutMs,
  };
}

/** Env with one secret left out. */
export const without = (name: keyof typeof SECRETS): Partial<Env> => ({ [name]: undefined });

export const UNSUBSCRIBE = `https://tern.example.com/u/${"T".repeat(150)}.sig`;

export const TEXT = "Grüße, Zoë!\n.\n..two dots\n.leading dot\nend";

/** A marketing email like the send consumer builds: UTF-8 names and subject, RFC 8058 headers, lines starting with ".". */
export function email(to: string, opts: { marketing?: boolean } = {}): OutgoingEmail {
  return buildMessage({
    messageId: `msg_${crypto.randomUUID().replace(/-/g, "")}`,
    host: "tern.example.com",
    from: { email: "hello@juniper.example", name: "Juniper & Pine — Café" },
    to: { email: to, name: "Zoë Ändersson" },
    replyTo: "care@juniper.example",
    rendered: {
      subject: "Your cart is waiting, Zoë ☕",
      preheader: "",
      html: '<p>Grüße, Zoë!</p>\n.<p>a line starting with a dot</p>\n<a href="https://juniper.example/cart">cart</a>',
      text: TEXT,
    },
    ...(opts.marketing === false ? {} : { unsubscribeUrl: UNSUBSCRIBE, list: { id: "newsletter", name: "Juniper & Pine: Newsletter" } }),
    date: new Date(Date.UTC(2026, 10, 23, 9, 30)),
  });
}

/** Every request the fake API received for a Tern message id. */
export async function seen(messageId: string): Promise<Seen[]> {
  return (await (await fetch(`${api()}/__seen/${encodeURIComponent(messageId)}`)).json()) as Seen[];
}

export interface SmtpRecord {
  listener: string;
  queueId: string;
  mailFrom: string;
  rcptTos: string[];
  auth: { mechanism: string; user: string } | null;
  tls: boolean;
  headers: Record<string, string>;
  parts: Record<string, string>;
  defects: string[];
  raw: string;
}

/** A message the aiosmtpd server accepted, by its queue id. */
export async function delivered(queueId: string): Promise<SmtpRecord> {
  const res = await fetch(`${api()}/__smtp/${encodeURIComponent(queueId)}`);
  if (!res.ok) throw new Error(`no SMTP message ${queueId}: ${res.status}`);
  return (await res.json()) as SmtpRecord;
}
