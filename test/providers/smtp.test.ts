/**
 * The smtp adapter over cloudflare:sockets against a real SMTP server (Debian's aiosmtpd, started by servers.ts):
 * messages are delivered, read back with Python's email parser and compared; AUTH PLAIN and LOGIN; 5xx and 4xx
 * replies; timeouts; STARTTLS and implicit TLS (fully when workerd trusts the test certificate, see servers.ts).
 */
import { describe, expect, inject, it } from "vitest";
import type { Settings } from "../../worker/core/settings";
import { dotStuff, queueId, smtp } from "../../worker/delivery/providers/smtp";
import type { SendResult } from "../../worker/delivery/providers/types";
import { SECRETS, SMTP_USER } from "./credentials";
import { context, delivered, email, TEXT, UNSUBSCRIBE, without } from "./helpers";

const { ports, tlsTrusted } = inject("smtp");

type Listener = keyof typeof ports;

function server(listener: Listener, smtpSettings: Partial<Settings["sending"]["smtp"]> = {}) {
  const security = listener === "tls" ? "tls" : listener === "starttls" ? "starttls" : "none";
  return { smtp: { host: "127.0.0.1", port: ports[listener], security, username: SMTP_USER, ...smtpSettings } as Settings["sending"]["smtp"] };
}

async function sendVia(listener: Listener, to = "zoe@example.com", opts: { smtp?: Partial<Settings["sending"]["smtp"]>; env?: object; timeoutMs?: number } = {}) {
  const e = email(to);
  const result = await smtp(context(server(listener, opts.smtp), opts.env, opts.timeoutMs ?? 3000)).send(e);
  return { e, result };
}

const accepted = (r: SendResult) => {
  if (!r.ok || !r.providerMessageId) throw new Error(`expected an accepted message with a queue id, got ${JSON.stringify(r)}`);
  return r.providerMessageId;
};

describe("smtp", () => {
  it("delivers the message intact: headers, dot-stuffed lines restored, parts as built", async () => {
    const { e, result } = await sendVia("plain");
    expect(e.raw).toContain("\r\n.\r\n"); // a line holding just "." would end DATA early if it were not stuffed
    const record = await delivered(accepted(result));
    expect(record.raw.replace(/\r\n/g, "\n")).toBe(e.raw.replace(/\r\n/g, "\n").replace(/\n?$/, "\n"));
    expect(record.defects).toEqual([]);
    expect([record.mailFrom, record.tls]).toEqual(["hello@juniper.example", false]);
    expect(record.rcptTos).toEqual(["zoe@example.com"]);
    expect(record.headers).toMatchObject({
      From: "Juniper & Pine — Café <hello@juniper.example>",
      To: "Zoë Ändersson <zoe@example.com>",
      Subject: "Your cart is waiting, Zoë ☕",
      "List-Unsubscribe": `<${UNSUBSCRIBE}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      "X-Tern-Message-Id": e.messageId,
      "Message-ID": e.headers["Message-ID"],
    });
    expect(record.parts["text/plain"]!.replace(/\r\n/g, "\n").replace(/\n$/, "")).toBe(TEXT); // ".", "..two dots", ".leading dot"
    expect(record.parts["text/html"]).toContain("\n.<p>a line starting with a dot</p>");
  });

  it("authenticates with AUTH PLAIN when offered", async () => {
    const { result } = await sendVia("plain");
    expect((await delivered(accepted(result))).auth).toEqual({ mechanism: "PLAIN", user: SMTP_USER });
  });

  it("falls back to AUTH LOGIN when that is all the server offers", async () => {
    const { result } = await sendVia("login");
    const record = await delivered(accepted(result));
    expect([record.listener, record.auth]).toEqual(["login", { mechanism: "LOGIN", user: SMTP_USER }]);
  });

  it("sends without AUTH when no username is set", async () => {
    const { result } = await sendVia("plain", "zoe@example.com", { smtp: { username: "" } });
    expect((await delivered(accepted(result))).auth).toBeNull();
  });

  it("a wrong password (535) is permanent and the password appears nowhere", async () => {
    const { result } = await sendVia("plain", "zoe@example.com", { env: { SMTP_PASSWORD: "wrong password" } });
    expect(result).toMatchObject({ ok: false, retryable: false, error: expect.stringMatching(/^AUTH PLAIN: 535 /) });
    expect(JSON.stringify(result)).not.toContain("wrong password");
    expect(JSON.stringify(result)).not.toContain(btoa(`\0${SMTP_USER}\0wrong password`));
  });

  it("a 5xx RCPT reply is permanent", async () => {
    const { result } = await sendVia("plain", "reject-me@example.com");
    expect(result).toEqual({ ok: false, retryable: false, error: expect.stringMatching(/^RCPT TO: 550 5\.1\.1 /) });
  });

  it("a 4xx RCPT reply is retryable", async () => {
    const { result } = await sendVia("plain", "tempfail-me@example.com");
    expect(result).toEqual({ ok: false, retryable: true, error: expect.stringMatching(/^RCPT TO: 451 4\.7\.1 /) });
  });

  it("a server that stops answering times out, retryable", async () => {
    const started = Date.now();
    const { result } = await sendVia("plain", "hang-me@example.com", { timeoutMs: 300 });
    expect(result).toEqual({ ok: false, retryable: true, error: expect.stringContaining("no answer within 300 ms") });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("a closed port is retryable", async () => {
    const { result } = await sendVia("plain", "zoe@example.com", { smtp: { port: 9 } });
    expect(result).toMatchObject({ ok: false, retryable: true });
  });

  it("a final 250 without a queue id gives a null provider id", async () => {
    const { result } = await sendVia("plain", "noid@example.com");
    expect(result).toEqual({ ok: true, providerMessageId: null });
  });

  it("missing settings and secrets are clear permanent errors", async () => {
    expect((await sendVia("plain", "zoe@example.com", { env: without("SMTP_PASSWORD") })).result).toEqual({ ok: false, retryable: false, error: expect.stringContaining("SMTP_PASSWORD is not set") });
    expect((await sendVia("plain", "zoe@example.com", { smtp: { host: "" } })).result).toEqual({ ok: false, retryable: false, error: expect.stringContaining("SMTP host is not set") });
    expect((await sendVia("plain", "zoe@example.com", { smtp: { port: 25 } })).result).toEqual({ ok: false, retryable: false, error: expect.stringContaining("port 25") });
  });

  it("never sends the password in clear text to anything but loopback", async () => {
    const { result } = await sendVia("plain", "zoe@example.com", { smtp: { host: "smtp.example.com" } });
    expect(result).toEqual({ ok: false, retryable: false, error: expect.stringContaining("without TLS") });
  });

  it("refuses to go on without TLS when STARTTLS is required but not offered", async () => {
    const { result } = await sendVia("plain", "zoe@example.com", { smtp: { security: "starttls" } });
    expect(result).toEqual({ ok: false, retryable: false, error: expect.stringContaining("does not offer STARTTLS") });
  });

  it.runIf(tlsTrusted)("delivers over STARTTLS, authenticating after the handshake", async () => {
    const { e, result } = await sendVia("starttls");
    const record = await delivered(accepted(result));
    expect([record.listener, record.tls, record.auth]).toEqual(["starttls", true, { mechanism: "PLAIN", user: SMTP_USER }]);
    expect(record.headers["X-Tern-Message-Id"]).toBe(e.messageId);
  });

  it.runIf(tlsTrusted)("delivers over implicit TLS", async () => {
    const { result } = await sendVia("tls");
    const record = await delivered(accepted(result));
    expect([record.listener, record.tls, record.auth?.mechanism]).toEqual(["tls", true, "PLAIN"]);
  });

  it.skipIf(tlsTrusted)("STARTTLS is negotiated, and an untrusted certificate fails the handshake (retryable)", async () => {
    const { result } = await sendVia("starttls");
    expect(result).toMatchObject({ ok: false, retryable: true });
  });

  it.skipIf(tlsTrusted)("implicit TLS with an untrusted certificate fails (retryable)", async () => {
    const { result } = await sendVia("tls");
    expect(result).toMatchObject({ ok: false, retryable: true });
  });

  it("keeps SECRETS out of every error", async () => {
    const results = await Promise.all(["reject-x", "tempfail-x"].map((to) => sendVia("plain", `${to}@example.com`)));
    for (const { result } of results) expect(JSON.stringify(result)).not.toContain(SECRETS.SMTP_PASSWORD);
  });
});

describe("dotStuff", () => {
  it("doubles leading dots, normalises line ends and terminates with CRLF.CRLF", () => {
    expect(dotStuff(".a\r\nb\n.\r\n..c")).toBe("..a\r\nb\r\n..\r\n...c\r\n.\r\n");
    expect(dotStuff("x\r\n")).toBe("x\r\n.\r\n");
  });
});

describe("queueId", () => {
  it.each([
    ["2.0.0 Ok: queued as 4XyZ123AbC", "4XyZ123AbC"],
    ["OK id=1sABcD-000123-Ef", "1sABcD-000123-Ef"],
    ["Ok 0100018f2c5d7e8a-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901-000000", "0100018f2c5d7e8a-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901-000000"],
    ["2.0.0 OK  1700000000 abc123.456 - gsmtp", null],
    ["OK", null],
    ["Great success", null],
  ])("%s → %s", (text, id) => {
    expect(queueId({ code: 250, lines: [text] })).toBe(id);
  });
});
