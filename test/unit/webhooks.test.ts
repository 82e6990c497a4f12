import { describe, expect, it } from "vitest";
import {
  ecdsaDerToRaw, isSnsUrl, mailgunSignature, parseCertificate, parseMailgun, parsePostmark, parseResend, parseSendGrid, parseSesNotification,
  pemToDer, snsEnvelopeSchema, snsStringToSign, verifyBasicAuth, verifyMailgun, verifySendGrid, verifySns, verifySvix, WebhookError,
  type SnsEnvelope,
} from "../../worker/core/webhooks";
import { b64, der, hex, hmac, makeCertificate, rawToDer, seq, signSns } from "../webhook-signers";

const enc = new TextEncoder();
const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);
const nowSec = Math.floor(NOW / 1000);

async function rejects(p: Promise<unknown>, reason: "signature" | "malformed" = "signature") {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebhookError);
  expect((err as WebhookError).reason).toBe(reason);
}
const throwsMalformed = (fn: () => unknown) => rejects(Promise.resolve().then(fn), "malformed");

describe("Svix (Resend)", () => {
  // The example from Svix's "verifying manually" documentation.
  const doc = {
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    headers: { id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" },
    body: enc.encode('{"test": 2432232314}'),
    now: 1614265330_000,
  };

  it("accepts Svix's documented example, also among several signatures (secret rotation)", async () => {
    await verifySvix(doc.secret, doc.headers, doc.body, doc.now);
    await verifySvix(doc.secret, { ...doc.headers, signature: `v1,bm9wZQ== v2,abc ${doc.headers.signature}` }, doc.body, doc.now + 299_000);
  });

  it("refuses a tampered body, another secret, a stale or future timestamp", async () => {
    await rejects(verifySvix(doc.secret, doc.headers, enc.encode('{"test": 2432232315}'), doc.now));
    await rejects(verifySvix("whsec_" + b64(crypto.getRandomValues(new Uint8Array(24))), doc.headers, doc.body, doc.now));
    await rejects(verifySvix(doc.secret, doc.headers, doc.body, doc.now + 301_000));
    await rejects(verifySvix(doc.secret, doc.headers, doc.body, doc.now - 301_000));
  });

  it("refuses missing and malformed headers", async () => {
    for (const h of [
      { ...doc.headers, id: null },
      { ...doc.headers, timestamp: null },
      { ...doc.headers, signature: null },
      { ...doc.headers, timestamp: "1614265330.5" },
      { ...doc.headers, signature: "v1,%%%notbase64" },
      { ...doc.headers, signature: doc.headers.signature.replace("v1,", "v2,") },
      { ...doc.headers, signature: "v1," },
    ]) {
      await rejects(verifySvix(doc.secret, h, doc.body, doc.now));
    }
    await rejects(verifySvix("not-a-whsec-%%%", doc.headers, doc.body, doc.now));
  });

  it("round-trips a signature made here with a fresh key", async () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const body = '{"type":"email.delivered"}';
    const headers = { id: "msg_1", timestamp: String(nowSec), signature: `v1,${b64(await hmac(key, `msg_1.${nowSec}.${body}`))}` };
    await verifySvix(`whsec_${b64(key)}`, headers, enc.encode(body), NOW);
    await rejects(verifySvix(`whsec_${b64(key)}`, { ...headers, id: "msg_2" }, enc.encode(body), NOW));
  });
});

describe("Mailgun", () => {
  const key = "key-test-signing-0123456789";
  const token = "e0b5477167110d68991efc6b9f89f0a11066af27834600e123";
  const signed = async (timestamp = String(nowSec), k = key) => ({ timestamp, token, signature: hex(await hmac(enc.encode(k), timestamp + token)) });

  it("accepts hex HMAC-SHA256 of timestamp + token", async () => {
    await verifyMailgun(key, await signed(), NOW);
  });

  it("refuses another key, a changed token, an old timestamp, malformed blocks", async () => {
    await rejects(verifyMailgun(key, await signed(String(nowSec), "other-key"), NOW));
    await rejects(verifyMailgun(key, { ...(await signed()), token: token + "x" }, NOW));
    await rejects(verifyMailgun(key, await signed(String(nowSec - 13 * 3600)), NOW));
    await rejects(verifyMailgun(key, await signed(String(nowSec + 3600)), NOW));
    await rejects(verifyMailgun(key, { ...(await signed()), signature: "zz" }, NOW));
    await rejects(verifyMailgun(key, { ...(await signed()), timestamp: "12ab" }, NOW));
    await rejects(verifyMailgun(key, { ...(await signed()), token: "" }, NOW));
  });
});

describe("SendGrid signed event webhook", () => {
  // The vector from sendgrid-nodejs' eventwebhook tests.
  const doc = {
    key: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==",
    signature: "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=",
    timestamp: "1588788367",
    body: enc.encode(JSON.stringify({ category: "example_payload", event: "test_event", message_id: "message_id" })),
    now: 1588788367_000,
  };

  it("accepts SendGrid's own test vector (DER signature, SPKI key)", async () => {
    await verifySendGrid(doc.key, doc, doc.body, doc.now);
  });

  it("refuses another key, a changed payload or signature, a stale timestamp, bad headers", async () => {
    const otherKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==";
    await rejects(verifySendGrid(otherKey, doc, doc.body, doc.now));
    await rejects(verifySendGrid(doc.key, doc, enc.encode("payload"), doc.now));
    await rejects(verifySendGrid(doc.key, { ...doc, signature: doc.signature.replace("H2j/0", "H3j/0") }, doc.body, doc.now));
    await rejects(verifySendGrid(doc.key, doc, doc.body, doc.now + 25 * 3600_000));
    await rejects(verifySendGrid(doc.key, { ...doc, timestamp: "timestamp" }, doc.body, doc.now));
    await rejects(verifySendGrid(doc.key, { ...doc, signature: null }, doc.body, doc.now));
    await rejects(verifySendGrid(doc.key, { ...doc, signature: "MEUCIQ" }, doc.body, doc.now));
    await rejects(verifySendGrid("bm90IGEga2V5", doc, doc.body, doc.now));
  });

  it("round-trips a key pair made here, signature in DER or raw", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const spki = b64((await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer);
    const body = enc.encode('[{"email":"a@example.com","event":"bounce"}]');
    const ts = String(nowSec);
    const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, new Uint8Array([...enc.encode(ts), ...body])));
    await verifySendGrid(spki, { signature: b64(rawToDer(raw)), timestamp: ts }, body, NOW);
    await verifySendGrid(`-----BEGIN PUBLIC KEY-----\n${spki}\n-----END PUBLIC KEY-----`, { signature: b64(raw), timestamp: ts }, body, NOW);
    await rejects(verifySendGrid(spki, { signature: b64(rawToDer(raw)), timestamp: String(nowSec + 1) }, body, NOW));
  });

  it("converts DER ECDSA signatures and refuses broken ones", () => {
    const raw = new Uint8Array(64).map((_, i) => (i === 0 || i === 32 ? 0x80 : i));
    expect(ecdsaDerToRaw(rawToDer(raw), 32)).toEqual(raw);
    const small = new Uint8Array(64);
    small[31] = 1;
    small[63] = 2;
    expect(ecdsaDerToRaw(rawToDer(small), 32)).toEqual(small);
    expect(ecdsaDerToRaw(new Uint8Array([0x30, 0x03, 0x02, 0x01]), 32)).toBeNull();
    expect(ecdsaDerToRaw(new Uint8Array([0x31, 0x00]), 32)).toBeNull();
  });
});

describe("HTTP Basic (Postmark)", () => {
  const basic = (s: string) => `Basic ${btoa(s)}`;
  it("accepts the configured user:password, or a bare token as the user name", () => {
    verifyBasicAuth("tern:s3cret", basic("tern:s3cret"));
    verifyBasicAuth("tok3n", basic("tok3n:"));
  });
  it("refuses wrong, missing and malformed credentials", async () => {
    for (const header of [basic("tern:wrong"), basic("tern:s3cret "), null, "", "Bearer tern:s3cret", "Basic %%%", basic("tern")]) {
      await rejects(Promise.resolve().then(() => verifyBasicAuth("tern:s3cret", header)));
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// SNS: a certificate built here (DER by hand), signed messages, the canonical string.

const TOPIC = "arn:aws:sns:us-east-1:123456789012:tern-ses";
const CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem";
const notification = (message: unknown, extra: Partial<SnsEnvelope> = {}): Omit<SnsEnvelope, "Signature"> => ({
  Type: "Notification",
  MessageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
  TopicArn: TOPIC,
  Message: typeof message === "string" ? message : JSON.stringify(message),
  Timestamp: "2026-05-01T11:59:58.000Z",
  SignatureVersion: "2",
  SigningCertURL: CERT_URL,
  ...extra,
});

describe("Amazon SNS", () => {
  it("builds the documented string to sign for each message type", () => {
    const n = notification("hello", { Subject: "Amazon SES Email Event Notification" }) as SnsEnvelope;
    expect(snsStringToSign(n)).toBe(
      `Message\nhello\nMessageId\n${n.MessageId}\nSubject\nAmazon SES Email Event Notification\nTimestamp\n${n.Timestamp}\nTopicArn\n${TOPIC}\nType\nNotification\n`,
    );
    expect(snsStringToSign({ ...n, Subject: undefined })).not.toContain("Subject");
    expect(snsStringToSign({ ...n, Subject: null })).not.toContain("Subject");
    const c = { ...n, Type: "SubscriptionConfirmation", SubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription", Token: "tok" } as SnsEnvelope;
    expect(snsStringToSign(c)).toBe(
      `Message\nhello\nMessageId\n${n.MessageId}\nSubscribeURL\n${c.SubscribeURL}\nTimestamp\n${n.Timestamp}\nToken\ntok\nTopicArn\n${TOPIC}\nType\nSubscriptionConfirmation\n`,
    );
  });

  it("reads the public key and validity out of an X.509 certificate (UTCTime and GeneralizedTime)", async () => {
    const notBefore = new Date(Date.UTC(2026, 0, 1));
    const notAfter = new Date(Date.UTC(2027, 0, 1));
    const { pem, spki } = await makeCertificate({ notBefore, notAfter });
    const cert = parseCertificate(pemToDer(pem)!)!;
    expect(cert.spki).toEqual(spki);
    expect([cert.notBefore, cert.notAfter]).toEqual([notBefore.getTime(), notAfter.getTime()]);
    const late = new Date(Date.UTC(2051, 5, 1));
    const gen = parseCertificate(pemToDer((await makeCertificate({ notBefore, notAfter: late, generalized: true })).pem)!)!;
    expect(gen.notAfter).toBe(late.getTime());
    expect(parseCertificate(new Uint8Array([0x30, 0x82, 0xff]))).toBeNull();
    expect(parseCertificate(seq(seq(der(0x02, [1]))))).toBeNull();
    expect(pemToDer("no certificate here")).toBeNull();
  });

  it("verifies SignatureVersion 2 (SHA256withRSA) and 1 (SHA1withRSA); refuses tampering, other keys, expired certificates", async () => {
    const { pem, pkcs8 } = await makeCertificate({ notBefore: new Date(NOW - 86400_000), notAfter: new Date(NOW + 86400_000) });
    const cert = parseCertificate(pemToDer(pem)!)!;
    const v2 = await signSns(notification({ eventType: "Delivery" }), pkcs8);
    await verifySns(v2, cert, NOW);
    const v1 = await signSns(notification({ eventType: "Delivery" }, { SignatureVersion: "1", Subject: "s" }), pkcs8);
    await verifySns(v1, cert, NOW);
    await rejects(verifySns({ ...v1, SignatureVersion: "2" }, cert, NOW));
    await rejects(verifySns({ ...v2, Message: v2.Message.replace("Delivery", "Bounce") }, cert, NOW));
    await rejects(verifySns({ ...v2, TopicArn: "arn:aws:sns:us-east-1:999999999999:other" }, cert, NOW));
    await rejects(verifySns({ ...v2, Signature: "%%%" }, cert, NOW));
    await rejects(verifySns(v2, cert, NOW + 2 * 86400_000));
    const other = parseCertificate(pemToDer((await makeCertificate({ notBefore: new Date(NOW - 1000), notAfter: new Date(NOW + 1000) })).pem)!)!;
    await rejects(verifySns(v2, other, NOW));
    const confirm = await signSns(
      { ...notification("confirm"), Type: "SubscriptionConfirmation", SubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=x", Token: "x" },
      pkcs8,
    );
    await verifySns(confirm, cert, NOW);
    await rejects(verifySns({ ...confirm, SubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=y" }, cert, NOW));
  });

  it("only trusts https URLs on sns.<region>.amazonaws.com", () => {
    expect(isSnsUrl(CERT_URL)).toBe(true);
    expect(isSnsUrl("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-1.pem")).toBe(true);
    for (const url of [
      "http://sns.us-east-1.amazonaws.com/x.pem",
      "https://sns.us-east-1.amazonaws.com.evil.example/x.pem",
      "https://evil.example/sns.us-east-1.amazonaws.com/x.pem",
      "https://sns.us-east-1.amazonaws.com@evil.example/x.pem",
      "https://user@sns.us-east-1.amazonaws.com/x.pem",
      "https://sns.us-east-1.amazonaws.com:8443/x.pem",
      "https://sqs.us-east-1.amazonaws.com/x.pem",
      "https://sns.amazonaws.com/x.pem",
      "https://evilsns.us-east-1.amazonaws.com/x.pem",
      "not a url",
    ]) {
      expect(isSnsUrl(url), url).toBe(false);
    }
  });

  it("validates the envelope shape", () => {
    expect(snsEnvelopeSchema.safeParse(notification("x")).success).toBe(false); // no Signature
    expect(snsEnvelopeSchema.safeParse({ ...notification("x"), Signature: "abc", SignatureVersion: "3" }).success).toBe(false);
    expect(snsEnvelopeSchema.safeParse({ ...notification("x"), Signature: "abc", Message: 5 }).success).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Payloads (shaped like the providers' documentation examples)

const ses = (message: unknown) => parseSesNotification({ ...notification(message), Signature: "" } as SnsEnvelope, NOW);

describe("SES notifications", () => {
  const mail = {
    timestamp: "2026-05-01T11:59:00.000Z",
    source: "shop@example.com",
    messageId: "0100018f2b2d9a1e-8c0d6f6e-5b1c-4a4d-9e8b-2a1f0c3d4e5f-000000",
    destination: ["jane@example.com"],
    headersTruncated: false,
    headers: [
      { name: "From", value: "shop@example.com" },
      { name: "X-Tern-Message-Id", value: "msg_abc123" },
    ],
    commonHeaders: { messageId: "<msg_abc123@tern.example.com>" },
  };

  it("maps a permanent bounce (notification format) to a hard bounce per recipient", () => {
    const r = ses({
      notificationType: "Bounce",
      bounce: {
        bounceType: "Permanent",
        bounceSubType: "General",
        bouncedRecipients: [
          { emailAddress: "Jane@Example.com", action: "failed", status: "5.1.1", diagnosticCode: "smtp; 550 5.1.1 user unknown" },
          { emailAddress: "\"Joe\" <joe@example.com>", action: "failed", status: "5.1.1" },
        ],
        timestamp: "2026-05-01T11:59:30.000Z",
        feedbackId: "0100018f-x",
      },
      mail,
    });
    expect(r.outcomes).toEqual([
      {
        kind: "hard_bounce",
        email: "jane@example.com",
        providerMessageId: mail.messageId,
        ternMessageId: "msg_abc123",
        at: Date.parse("2026-05-01T11:59:30.000Z"),
        detail: "Permanent/General 5.1.1 smtp; 550 5.1.1 user unknown",
        eventId: "ses:22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324:jane@example.com",
      },
      expect.objectContaining({ kind: "hard_bounce", email: "joe@example.com" }),
    ]);
  });

  it("reads event publishing (eventType), transient bounces as soft, the tern id from tags or Message-ID", () => {
    const r = ses({
      eventType: "Bounce",
      bounce: { bounceType: "Transient", bounceSubType: "MailboxFull", bouncedRecipients: [{ emailAddress: "jane@example.com" }], timestamp: "2026-05-01T11:59:30.000Z" },
      mail: { ...mail, headers: undefined, tags: { tern_message_id: ["msg_tagged"] } },
    });
    expect(r.outcomes[0]).toMatchObject({ kind: "soft_bounce", ternMessageId: "msg_tagged", detail: "Transient/MailboxFull" });
    const undetermined = ses({ eventType: "Bounce", bounce: { bounceType: "Undetermined", bouncedRecipients: [{ emailAddress: "a@example.com" }] }, mail: { ...mail, headers: undefined } });
    expect(undetermined.outcomes[0]).toMatchObject({ kind: "soft_bounce", ternMessageId: "msg_abc123", at: Date.parse("2026-05-01T11:59:58.000Z") });
  });

  it("maps complaints and deliveries; ignores not-spam feedback, other events and non-JSON messages", () => {
    const complaint = ses({ notificationType: "Complaint", complaint: { complainedRecipients: [{ emailAddress: "jane@example.com" }], complaintFeedbackType: "abuse", timestamp: "2026-05-01T12:00:00.000Z" }, mail });
    expect(complaint.outcomes[0]).toMatchObject({ kind: "complaint", detail: "abuse" });
    const delivery = ses({ eventType: "Delivery", delivery: { recipients: ["jane@example.com", "joe@example.com"], timestamp: "2026-05-01T12:00:00.000Z", smtpResponse: "250 ok" }, mail });
    expect(delivery.outcomes.map((o) => [o.kind, o.email])).toEqual([["delivered", "jane@example.com"], ["delivered", "joe@example.com"]]);
    expect(ses({ notificationType: "Complaint", complaint: { complainedRecipients: [{ emailAddress: "a@example.com" }], complaintFeedbackType: "not-spam" }, mail })).toEqual({ outcomes: [], ignored: 1 });
    expect(ses({ eventType: "Open", open: {}, mail })).toEqual({ outcomes: [], ignored: 1 });
    expect(ses("Successfully validated SNS topic for Amazon SES event publishing.")).toEqual({ outcomes: [], ignored: 1 });
  });

  it("refuses malformed relevant events", async () => {
    await throwsMalformed(() => ses({ notificationType: "Bounce", mail }));
    await throwsMalformed(() => ses({ notificationType: "Bounce", bounce: { bounceType: "Permanent", bouncedRecipients: [{ emailAddress: "not an address" }] } }));
    await throwsMalformed(() => ses({ notificationType: "Bounce", bounce: { bounceType: 5, bouncedRecipients: [] } }));
    await throwsMalformed(() => ses({ eventType: "Delivery", delivery: { recipients: "jane@example.com" } }));
  });
});

describe("Postmark", () => {
  // The Bounce webhook example from Postmark's webhook page.
  const bounce = {
    RecordType: "Bounce",
    ID: 42,
    Type: "HardBounce",
    TypeCode: 1,
    Name: "Hard bounce",
    Tag: "Test",
    MessageID: "883953f4-6105-42a2-a16a-77a8eac79483",
    Description: "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
    Details: "Test bounce details",
    Email: "john@example.com",
    From: "sender@example.com",
    BouncedAt: "2014-08-01T13:28:10.2735393-04:00",
    DumpAvailable: true,
    Inactive: true,
    CanActivate: true,
    Subject: "Test subject",
    Metadata: { tern_message_id: "msg_pm1" },
    MessageStream: "outbound",
  };

  it("maps bounces by Type, spam complaints and deliveries", () => {
    const r = parsePostmark(bounce, NOW);
    expect(r.outcomes).toEqual([
      {
        kind: "hard_bounce",
        email: "john@example.com",
        providerMessageId: bounce.MessageID,
        ternMessageId: "msg_pm1",
        at: Date.parse("2014-08-01T13:28:10.273-04:00"),
        detail: `HardBounce: ${bounce.Description}: Test bounce details`,
        eventId: "postmark:Bounce:42",
      },
    ]);
    expect(parsePostmark({ ...bounce, Type: "SoftBounce", TypeCode: 4096 }, NOW).outcomes[0]!.kind).toBe("soft_bounce");
    expect(parsePostmark({ ...bounce, RecordType: "SpamComplaint", Type: "SpamComplaint", TypeCode: 512 }, NOW).outcomes[0]).toMatchObject({ kind: "complaint", eventId: "postmark:SpamComplaint:42" });
    const delivery = {
      RecordType: "Delivery",
      ServerID: 23,
      MessageID: "883953f4-6105-42a2-a16a-77a8eac79483",
      Recipient: "john@example.com",
      Tag: "welcome-email",
      DeliveredAt: "2019-11-05T16:33:54.9070259Z",
      Details: "Test delivery webhook details",
      MessageStream: "outbound",
    };
    expect(parsePostmark(delivery, NOW).outcomes[0]).toMatchObject({ kind: "delivered", email: "john@example.com", eventId: `postmark:Delivery:${delivery.MessageID}:john@example.com` });
  });

  it("ignores opens, clicks and non-bounce notices; accepts an array", () => {
    expect(parsePostmark({ RecordType: "Open", Recipient: "john@example.com" }, NOW)).toEqual({ outcomes: [], ignored: 1 });
    expect(parsePostmark({ ...bounce, Type: "AutoResponder" }, NOW)).toEqual({ outcomes: [], ignored: 1 });
    expect(parsePostmark([bounce, { RecordType: "Click" }, { ...bounce, ID: 43, Type: "Transient" }], NOW).outcomes.map((o) => o.kind)).toEqual(["hard_bounce", "soft_bounce"]);
  });

  it("refuses wrong types and missing addresses", async () => {
    await throwsMalformed(() => parsePostmark({ RecordType: 5 }, NOW));
    await throwsMalformed(() => parsePostmark("Bounce", NOW));
    await throwsMalformed(() => parsePostmark({ ...bounce, Email: undefined }, NOW));
    await throwsMalformed(() => parsePostmark({ ...bounce, MessageID: 7 }, NOW));
  });
});

describe("Resend", () => {
  const bounced = {
    type: "email.bounced",
    created_at: "2026-05-01T12:00:00.000Z",
    data: {
      broadcast_id: "8b146471-e88e-4322-86af-016cd36fd216",
      created_at: "2026-05-01T11:59:00.000Z",
      email_id: "56761188-7520-42d8-8898-ff6fc54ce618",
      from: "Acme <onboarding@resend.dev>",
      to: ["Delivered@Resend.dev"],
      subject: "Sending this example",
      bounce: { message: "The recipient's email provider sent a hard bounce message.", subType: "Suppressed", type: "Permanent" },
      tags: { category: "confirm_email", tern_message_id: "msg_rs1" },
    },
  };

  it("maps bounced (Permanent hard, Transient soft), complained, delivered, suppressed", () => {
    expect(parseResend(bounced, "msg_svix1", NOW).outcomes).toEqual([
      {
        kind: "hard_bounce",
        email: "delivered@resend.dev",
        providerMessageId: "56761188-7520-42d8-8898-ff6fc54ce618",
        ternMessageId: "msg_rs1",
        at: Date.parse("2026-05-01T12:00:00.000Z"),
        detail: "Permanent/Suppressed The recipient's email provider sent a hard bounce message.",
        eventId: "resend:msg_svix1",
      },
    ]);
    const transient = { ...bounced, data: { ...bounced.data, bounce: { type: "Transient", subType: "MailboxFull", message: "full" } } };
    expect(parseResend(transient, "x", NOW).outcomes[0]!.kind).toBe("soft_bounce");
    expect(parseResend({ ...bounced, type: "email.complained" }, "x", NOW).outcomes[0]!.kind).toBe("complaint");
    expect(parseResend({ ...bounced, type: "email.delivered", data: { ...bounced.data, to: "Jane <jane@example.com>", tags: [{ name: "tern_message_id", value: "msg_arr" }] } }, "x", NOW).outcomes[0]).toMatchObject({
      kind: "delivered",
      email: "jane@example.com",
      ternMessageId: "msg_arr",
    });
    expect(parseResend({ ...bounced, type: "email.suppressed", data: { ...bounced.data, suppressed: { type: "bounce", message: "previously bounced" } } }, "x", NOW).outcomes[0]).toMatchObject({ kind: "hard_bounce" });
  });

  it("ignores other event types, refuses malformed relevant ones", async () => {
    expect(parseResend({ type: "email.opened", data: {} }, "x", NOW)).toEqual({ outcomes: [], ignored: 1 });
    expect(parseResend({ type: "contact.created" }, "x", NOW)).toEqual({ outcomes: [], ignored: 1 });
    await throwsMalformed(() => parseResend({ type: 1 }, "x", NOW));
    await throwsMalformed(() => parseResend({ type: "email.bounced" }, "x", NOW));
    await throwsMalformed(() => parseResend({ ...bounced, data: { ...bounced.data, to: [] } }, "x", NOW));
    await throwsMalformed(() => parseResend([bounced], "x", NOW));
  });
});

describe("SendGrid", () => {
  const base = { email: "example@test.com", timestamp: 1513299569, "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>", category: "cat facts", sg_message_id: "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0" };
  const batch = [
    { ...base, event: "processed", sg_event_id: "e1" },
    { ...base, event: "delivered", response: "250 OK", sg_event_id: "e2", tern_message_id: "msg_sg1" },
    { ...base, event: "bounce", reason: "500 unknown recipient", status: "5.0.0", type: "bounce", sg_event_id: "e3" },
    { ...base, event: "bounce", reason: "550 blocked by spam filter", status: "5.7.1", type: "blocked", sg_event_id: "e4" },
    { ...base, event: "dropped", reason: "Bounced Address", status: "5.0.0", sg_event_id: "e5" },
    { ...base, event: "dropped", reason: "Unsubscribed Address", status: "5.0.0", sg_event_id: "e6" },
    { ...base, event: "spamreport", sg_event_id: "e7" },
    { ...base, event: "open", useragent: "Mozilla/4.0", ip: "255.255.255.255", sg_event_id: "e8" },
    { ...base, event: "deferred", response: "400 try again later", attempt: "5", sg_event_id: "e9" },
  ];

  it("maps a batch: delivered, bounce vs blocked, dropped for bounced addresses, spam reports", () => {
    const r = parseSendGrid(batch, NOW);
    expect(r.outcomes.map((o) => [o.kind, o.eventId])).toEqual([
      ["delivered", "sendgrid:e2"],
      ["hard_bounce", "sendgrid:e3"],
      ["soft_bounce", "sendgrid:e4"],
      ["hard_bounce", "sendgrid:e5"],
      ["complaint", "sendgrid:e7"],
    ]);
    expect(r.ignored).toBe(4);
    expect(r.outcomes[0]).toEqual({ kind: "delivered", email: "example@test.com", providerMessageId: "14c5d75ce93", ternMessageId: "msg_sg1", at: 1513299569_000, detail: "", eventId: "sendgrid:e2" });
    expect(r.outcomes[1]!.detail).toBe("bounce 5.0.0 500 unknown recipient");
  });

  it("refuses a body that is not an array and relevant events with wrong types", async () => {
    await throwsMalformed(() => parseSendGrid({ event: "bounce" }, NOW));
    await throwsMalformed(() => parseSendGrid([{ ...base, event: "bounce", email: 5 }], NOW));
    await throwsMalformed(() => parseSendGrid([{ ...base, event: "delivered", timestamp: "yesterday" }], NOW));
    await throwsMalformed(() => parseSendGrid([null], NOW));
    expect(parseSendGrid([{ event: "open", email: 5 }], NOW)).toEqual({ outcomes: [], ignored: 1 });
  });
});

describe("Mailgun payloads", () => {
  // Shaped like the "failed" example of Mailgun's webhook documentation.
  const failed = {
    signature: { timestamp: "1529006854", token: "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0", signature: "d2271d12299f6592d9d44cd9d250f0704e4674c30d79d07c47a66f95ce71cf55" },
    "event-data": {
      event: "failed",
      id: "G9Bn5sl1TC6nu79C8C0bwg",
      timestamp: 1521233195.375624,
      severity: "permanent",
      reason: "suppress-bounce",
      recipient: "alice@example.com",
      "log-level": "error",
      message: { headers: { to: "Alice <alice@example.com>", "message-id": "20130503192659.13651.20287@sandbox.mailgun.org", from: "Bob <bob@sandbox.mailgun.org>", subject: "Test permanent_fail webhook" } },
      "delivery-status": { code: 605, message: "", description: "Not delivering to previously bounced address", "attempt-no": 1 },
      "user-variables": { tern_message_id: "msg_mg1" },
    },
  };

  it("maps failed (permanent hard, temporary soft), complained and delivered", () => {
    expect(parseMailgun(failed, NOW).outcomes).toEqual([
      {
        kind: "hard_bounce",
        email: "alice@example.com",
        providerMessageId: "20130503192659.13651.20287@sandbox.mailgun.org",
        ternMessageId: "msg_mg1",
        at: 1521233195376,
        detail: "permanent suppress-bounce 605 Not delivering to previously bounced address",
        eventId: "mailgun:G9Bn5sl1TC6nu79C8C0bwg:1521233195.375624:alice@example.com",
      },
    ]);
    const ev = (extra: object) => parseMailgun({ ...failed, "event-data": { ...failed["event-data"], ...extra } }, NOW).outcomes[0];
    expect(ev({ severity: "temporary", reason: "generic" })!.kind).toBe("soft_bounce");
    expect(ev({ reason: "old" })!.kind).toBe("soft_bounce");
    expect(ev({ reason: "suppress-complaint" })!.kind).toBe("complaint");
    expect(ev({ event: "complained" })!.kind).toBe("complaint");
    expect(ev({ event: "delivered", "user-variables": {}, message: { headers: { "message-id": "<msg_x@tern.example.com>" } } })).toMatchObject({
      kind: "delivered",
      providerMessageId: "msg_x@tern.example.com",
      ternMessageId: "msg_x",
    });
    expect(parseMailgun({ ...failed, "event-data": { event: "opened" } }, NOW)).toEqual({ outcomes: [], ignored: 1 });
    expect(parseMailgun({ ...failed, "event-data": { ...failed["event-data"], reason: "suppress-unsubscribe" } }, NOW)).toEqual({ outcomes: [], ignored: 1 });
  });

  it("reads the signature block; refuses bodies without one or with wrong types", async () => {
    expect(mailgunSignature({ ...failed, signature: { ...failed.signature, timestamp: 1529006854 } }).timestamp).toBe("1529006854");
    await throwsMalformed(() => mailgunSignature({ "event-data": failed["event-data"] }));
    await throwsMalformed(() => mailgunSignature({ ...failed, signature: { ...failed.signature, token: 5 } }));
    await throwsMalformed(() => parseMailgun({ ...failed, "event-data": { ...failed["event-data"], recipient: 5 } }, NOW));
  });
});
