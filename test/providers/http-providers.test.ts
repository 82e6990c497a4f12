/**
 * The five HTTP adapters against local servers that check each request against the provider's documented API.
 * Shared behaviour (faults, timeouts, missing secrets) runs as one table; the exact request each provider must
 * receive is asserted per provider below.
 */
import { describe, expect, it } from "vitest";
import type { OutgoingEmail } from "../../worker/core/message";
import type { ProviderContext } from "../../worker/delivery/providers/index";
import { mailgun } from "../../worker/delivery/providers/mailgun";
import { postmark } from "../../worker/delivery/providers/postmark";
import { resend } from "../../worker/delivery/providers/resend";
import { sendgrid } from "../../worker/delivery/providers/sendgrid";
import { ses } from "../../worker/delivery/providers/ses";
import { formatAddress, type Provider, type SendResult, type TimeoutOption } from "../../worker/delivery/providers/types";
import { MAILGUN_DOMAIN, SECRETS, SES_REGION } from "./credentials";
import { context, email, seen, TEXT, UNSUBSCRIBE, without } from "./helpers";

type Factory = (ctx: ProviderContext & TimeoutOption) => Provider;

const ADAPTERS: { name: string; factory: Factory; secret: keyof typeof SECRETS; settings?: object }[] = [
  { name: "resend", factory: resend, secret: "RESEND_API_KEY" },
  { name: "postmark", factory: postmark, secret: "POSTMARK_SERVER_TOKEN" },
  { name: "ses", factory: ses, secret: "SES_SECRET_ACCESS_KEY", settings: { sesRegion: SES_REGION } },
  { name: "sendgrid", factory: sendgrid, secret: "SENDGRID_API_KEY" },
  { name: "mailgun", factory: mailgun, secret: "MAILGUN_API_KEY", settings: { mailgunDomain: MAILGUN_DOMAIN } },
];

async function sendWith(a: (typeof ADAPTERS)[number], to: string, opts: { env?: object; timeoutMs?: number; settings?: object } = {}) {
  const e = email(to);
  const provider = a.factory(context({ ...a.settings, ...opts.settings }, opts.env, opts.timeoutMs));
  return { e, result: await provider.send(e), provider };
}

const failure = (r: SendResult) => {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r;
};

describe.each(ADAPTERS)("$name", (a) => {
  it("is accepted with exactly one request and returns the provider's message id", async () => {
    const { e, result, provider } = await sendWith(a, "zoe@example.com");
    const requests = await seen(e.messageId);
    expect(requests.map((r) => r.problems)).toEqual([[]]);
    expect(provider.name).toBe(a.name);
    const id = requests[0]!.answer.id!;
    expect(result).toEqual({ ok: true, providerMessageId: a.name === "mailgun" ? id.replace(/^<|>$/g, "") : id });
  });

  it("429 is retryable and carries Retry-After", async () => {
    const { e, result } = await sendWith(a, "rate-limited@example.com");
    expect(result).toMatchObject({ ok: false, retryable: true, retryAfterSeconds: 7 });
    expect(failure(result).error).toMatch(/^429\b/);
    expect((await seen(e.messageId)).map((r) => r.answer.status)).toEqual([429]);
  });

  it("500 is retryable", async () => {
    const { result } = await sendWith(a, "server-error@example.com");
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(failure(result).error).toMatch(/^500\b/);
  });

  it("no answer within the timeout is retryable", async () => {
    const started = Date.now();
    const { e, result } = await sendWith(a, "hang@example.com", { timeoutMs: 300 });
    expect(result).toEqual({ ok: false, retryable: true, error: "no answer within 300 ms" });
    expect(Date.now() - started).toBeLessThan(2000);
    // it did reach the provider, which never answered (on a busy machine the fake API may log it a moment later)
    let requests = await seen(e.messageId);
    for (let i = 0; i < 40 && !requests.length; i++) {
      await scheduler.wait(50);
      requests = await seen(e.messageId);
    }
    expect(requests).toHaveLength(1);
  });

  it("the provider's refusal (4xx) is permanent, with its explanation", async () => {
    const { result } = await sendWith(a, "rejected@example.com");
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(failure(result).error).toMatch(/^4\d\d .+/);
  });

  it("a wrong key is refused (401/403) and permanent", async () => {
    const { result } = await sendWith(a, "zoe@example.com", { env: { [a.secret]: "wrong-key" } });
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(failure(result).error).toMatch(/^40[13]\b/);
  });

  it("a missing secret is a clear permanent error and nothing is sent", async () => {
    const { e, result } = await sendWith(a, "zoe@example.com", { env: without(a.secret) });
    expect(result).toEqual({ ok: false, retryable: false, error: expect.stringContaining(`${a.secret} is not set`) });
    expect(await seen(e.messageId)).toEqual([]);
  });

  it("an unreachable API is retryable", async () => {
    const { result } = await sendWith(a, "zoe@example.com", { settings: { apiBaseUrl: "http://127.0.0.1:9" } });
    expect(result).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/^request failed: /) });
  });

  it("never puts a secret into an error", async () => {
    const results = await Promise.all(["rejected", "server-error", "rate-limited"].map((k) => sendWith(a, `${k}@example.com`)));
    for (const { result } of results) for (const secret of Object.values(SECRETS)) expect(failure(result).error).not.toContain(secret);
  });
});

/** The one request a provider received for a successful send. */
async function only(e: OutgoingEmail) {
  const requests = await seen(e.messageId);
  expect(requests).toHaveLength(1);
  return requests[0]!;
}

describe("resend request", () => {
  it("is POST /emails with Bearer auth, Idempotency-Key and our headers", async () => {
    const e = email("zoe@example.com");
    await resend(context()).send(e);
    const r = await only(e);
    expect([r.method, r.path, r.headers.authorization, r.headers["idempotency-key"]]).toEqual(["POST", "/emails", `Bearer ${SECRETS.RESEND_API_KEY}`, e.messageId]);
    expect(r.json).toEqual({
      from: "Juniper & Pine — Café <hello@juniper.example>",
      to: ["Zoë Ändersson <zoe@example.com>"],
      subject: "Your cart is waiting, Zoë ☕",
      html: e.html,
      text: TEXT,
      reply_to: "care@juniper.example",
      headers: {
        "X-Tern-Message-Id": e.messageId,
        "List-Unsubscribe": `<${UNSUBSCRIBE}>`,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": '"Juniper & Pine: Newsletter" <newsletter.tern.example.com>',
      },
    });
  });

  it("409 concurrent_idempotent_requests (first attempt still in flight) is retryable", async () => {
    const { result } = await sendWith(ADAPTERS[0]!, "in-flight@example.com");
    expect(result).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/^409 /) });
  });
});

describe("postmark request", () => {
  it("is POST /email with the server token, marketing mail on the broadcast stream", async () => {
    const e = email("zoe@example.com");
    await postmark(context()).send(e);
    const r = await only(e);
    expect([r.method, r.path, r.headers["x-postmark-server-token"], r.headers.accept]).toEqual(["POST", "/email", SECRETS.POSTMARK_SERVER_TOKEN, "application/json"]);
    expect(r.json).toMatchObject({
      From: "Juniper & Pine — Café <hello@juniper.example>",
      To: "Zoë Ändersson <zoe@example.com>",
      Subject: e.subject,
      HtmlBody: e.html,
      TextBody: TEXT,
      ReplyTo: "care@juniper.example",
      MessageStream: "broadcast",
      Metadata: { tern_message_id: e.messageId },
      TrackOpens: false,
      TrackLinks: "None",
    });
    expect(r.json.Headers).toContainEqual({ Name: "List-Unsubscribe", Value: `<${UNSUBSCRIBE}>` });
    expect(r.json.Headers).toContainEqual({ Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click" });
  });

  it("sends transactional mail (no List-Unsubscribe) on the outbound stream", async () => {
    const e = email("zoe@example.com", { marketing: false });
    expect(await postmark(context()).send(e)).toMatchObject({ ok: true });
    expect((await only(e)).json.MessageStream).toBe("outbound");
  });
});

describe("ses request", () => {
  it("is a SigV4-signed SendEmail v2 call whose raw MIME keeps our headers", async () => {
    const e = email("zoe@example.com");
    await ses(context({ sesRegion: SES_REGION })).send(e);
    const r = await only(e); // the server verified the signature independently (node:crypto)
    expect([r.method, r.path]).toEqual(["POST", "/v2/email/outbound-emails"]);
    expect(r.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${SECRETS.SES_ACCESS_KEY_ID}/\\d{8}/${SES_REGION}/ses/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}$`));
    expect(r.json.FromEmailAddress).toBe("hello@juniper.example");
    expect(r.json.Destination).toEqual({ ToAddresses: ["zoe@example.com"] });
    expect(r.json.EmailTags).toEqual([{ Name: "tern_message_id", Value: e.messageId }]);
    expect(atob(r.json.Content.Raw.Data).length).toBe(new TextEncoder().encode(e.raw).length);
    expect(r.mime!.defects).toEqual([]);
    expect(r.mime!.headers).toMatchObject({
      From: "Juniper & Pine — Café <hello@juniper.example>",
      To: "Zoë Ändersson <zoe@example.com>",
      Subject: e.subject,
      "List-Unsubscribe": `<${UNSUBSCRIBE}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      "X-Tern-Message-Id": e.messageId,
      "Message-ID": e.headers["Message-ID"],
    });
    expect(r.mime!.parts["text/plain"]!.replace(/\r\n/g, "\n").replace(/\n$/, "")).toBe(TEXT);
  });

  it("a missing region is a clear permanent error", async () => {
    const { result } = await sendWith(ADAPTERS[2]!, "zoe@example.com", { settings: { sesRegion: "" } });
    expect(result).toEqual({ ok: false, retryable: false, error: expect.stringContaining("SES region is not set") });
  });
});

describe("sendgrid request", () => {
  it("is POST /v3/mail/send with personalizations, text before html, custom_args; the id comes from X-Message-Id", async () => {
    const e = email("zoe@example.com");
    const result = await sendgrid(context()).send(e);
    const r = await only(e);
    expect([r.method, r.path, r.headers.authorization, r.answer.status]).toEqual(["POST", "/v3/mail/send", `Bearer ${SECRETS.SENDGRID_API_KEY}`, 202]);
    expect(result).toEqual({ ok: true, providerMessageId: r.answer.id });
    expect(r.json).toMatchObject({
      personalizations: [{ to: [{ email: "zoe@example.com", name: "Zoë Ändersson" }] }],
      from: { email: "hello@juniper.example", name: "Juniper & Pine — Café" },
      reply_to: { email: "care@juniper.example" },
      subject: e.subject,
      content: [
        { type: "text/plain", value: TEXT },
        { type: "text/html", value: e.html },
      ],
      custom_args: { tern_message_id: e.messageId },
      headers: { "List-Unsubscribe": `<${UNSUBSCRIBE}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "X-Tern-Message-Id": e.messageId },
    });
  });
});

describe("mailgun request", () => {
  it("is multipart POST /v3/{domain}/messages.mime with Basic api:key and the raw MIME as a file", async () => {
    const e = email("zoe@example.com");
    await mailgun(context({ mailgunDomain: MAILGUN_DOMAIN })).send(e);
    const r = await only(e);
    expect([r.method, r.path, r.headers.authorization]).toEqual(["POST", `/v3/${MAILGUN_DOMAIN}/messages.mime`, `Basic ${btoa(`api:${SECRETS.MAILGUN_API_KEY}`)}`]);
    expect(r.form).toMatchObject({ to: "zoe@example.com", "v:tern_message_id": e.messageId, "o:tracking": "no" });
    expect(r.form!.message).toMatch(/^\(file message\.mime, message\/rfc822, \d+ bytes\)$/);
    expect(r.mime!.defects).toEqual([]);
    expect(r.mime!.headers).toMatchObject({ "List-Unsubscribe": `<${UNSUBSCRIBE}>`, "X-Tern-Message-Id": e.messageId, "Message-ID": e.headers["Message-ID"] });
  });

  it("uses api.eu.mailgun.net for EU domains (no apiBaseUrl)", async () => {
    // the real EU host is unreachable from the test sandbox, so only the URL the adapter picked is observable
    const calls: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (input: RequestInfo | URL) => {
      calls.push(String(input instanceof Request ? input.url : input));
      return new Response(JSON.stringify({ id: "<x@mg>", message: "Queued. Thank you." }), { status: 200 });
    }) as typeof fetch;
    try {
      const result = await mailgun(context({ mailgunDomain: MAILGUN_DOMAIN, mailgunRegion: "eu", apiBaseUrl: "" })).send(email("zoe@example.com"));
      expect(result).toEqual({ ok: true, providerMessageId: "x@mg" });
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(calls).toEqual([`https://api.eu.mailgun.net/v3/${MAILGUN_DOMAIN}/messages.mime`]);
  });

  it("a missing domain is a clear permanent error", async () => {
    const { result } = await sendWith(ADAPTERS[4]!, "zoe@example.com", { settings: { mailgunDomain: "" } });
    expect(result).toEqual({ ok: false, retryable: false, error: expect.stringContaining("Mailgun sending domain is not set") });
  });
});

describe("formatAddress", () => {
  it("quotes a display name only when it holds RFC 5322 specials", () => {
    expect(formatAddress({ email: "a@x.example", name: "Zoë Ändersson" })).toBe("Zoë Ändersson <a@x.example>");
    expect(formatAddress({ email: "a@x.example", name: 'Pine, "The" Shop' })).toBe('"Pine, \\"The\\" Shop" <a@x.example>');
    expect(formatAddress({ email: "a@x.example" })).toBe("a@x.example");
  });
});
