/**
 * One local HTTP server (Node) that plays Resend, Postmark, SES v2, SendGrid and Mailgun. Every request is checked
 * against the provider's documented API (method, path, auth, content type, required fields, the raw MIME parsed
 * back with Python's email package); a request that breaks the contract gets the provider's own validation error.
 * The recipient's local part injects faults (see FAULTS). What each provider saw is kept per Tern message id and
 * served at GET /__seen/<id>; SMTP deliveries to the aiosmtpd server at GET /__smtp/<queue id>.
 */
import { spawn } from "node:child_process";
import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { FAULTS, MAILGUN_DOMAIN, SECRETS, SES_REGION } from "./credentials";

export interface ParsedMime {
  headers: Record<string, string>;
  parts: Record<string, string>;
  defects: string[];
}

export interface Seen {
  provider: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  json?: any;
  form?: Record<string, string>;
  mime?: ParsedMime;
  problems: string[];
  answer: { status: number; id: string | null };
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  id?: string | null;
}

/** What one provider does with a request: its key for /__seen, the checks it failed, its recipient, its answers. */
interface Handling {
  key: string;
  problems: string[];
  recipient: string;
  json?: any;
  form?: Record<string, string>;
  mime?: ParsedMime;
  ok: () => Answer;
  invalid: (problems: string[]) => Answer;
  fault: (kind: string) => Answer | null;
}

type Handler = (req: IncomingMessage, body: Buffer, path: string) => Promise<Handling | Answer>;

export async function startMockApi(smtpOutDir: string) {
  const seen = new Map<string, Seen[]>();
  const hanging = new Set<ServerResponse>();

  const server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (req.method === "GET" && path.startsWith("/__seen/")) return send(res, { status: 200, body: seen.get(decodeURIComponent(path.slice(8))) ?? [] });
      if (req.method === "GET" && path.startsWith("/__smtp/")) {
        const id = path.slice(8).replace(/[^\w-]/g, "");
        const record = await readFile(join(smtpOutDir, `${id}.json`), "utf8").catch(() => null);
        return send(res, record ? { status: 200, body: JSON.parse(record) } : { status: 404, body: { error: "no such message" } });
      }
      const handler = route(req.method ?? "", path);
      if (!handler) return send(res, { status: 404, body: { message: `no such endpoint: ${req.method} ${path}` } });
      const handling = await handler(req, body, path);
      if (!("key" in handling)) return send(res, handling); // refused before the body was read (auth)
      const kind = FAULTS.find((k) => handling.recipient.toLowerCase().startsWith(`${k}@`)) ?? null;
      const answer = handling.problems.length ? handling.invalid(handling.problems) : (kind && handling.fault(kind)) || handling.ok();
      const record: Seen = {
        provider: handler.name,
        method: req.method ?? "",
        path,
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        ...(handling.json !== undefined ? { json: handling.json } : {}),
        ...(handling.form ? { form: handling.form } : {}),
        ...(handling.mime ? { mime: handling.mime } : {}),
        problems: handling.problems,
        answer: { status: kind === "hang" ? 0 : answer.status, id: answer.id ?? null },
      };
      seen.set(handling.key, [...(seen.get(handling.key) ?? []), record]);
      if (kind === "hang") {
        hanging.add(res); // never answered; destroyed on close
        return;
      }
      send(res, answer);
    } catch (err) {
      send(res, { status: 500, body: { message: `mock server error: ${err instanceof Error ? err.stack : err}` } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function route(method: string, path: string): Handler | null {
  if (method !== "POST") return null;
  if (path === "/emails") return resend;
  if (path === "/email") return postmark;
  if (path === "/v2/email/outbound-emails") return ses;
  if (path === "/v3/mail/send") return sendgrid;
  if (/^\/v3\/[^/]+\/messages\.mime$/.test(path)) return mailgun;
  return null;
}

const resend: Handler = async (req, body) => {
  if (req.headers.authorization !== `Bearer ${SECRETS.RESEND_API_KEY}`) {
    return { status: 403, body: { statusCode: 403, name: "invalid_api_key", message: "API key is invalid" } };
  }
  const problems: string[] = [];
  const json = parseJson(body, req, problems);
  const key = req.headers["idempotency-key"];
  need(problems, typeof key === "string" && key.length >= 1 && key.length <= 256, "Idempotency-Key header of 1-256 characters");
  need(problems, typeof json.from === "string" && json.from.includes("@"), "from: a string address");
  need(problems, Array.isArray(json.to) ? json.to.length >= 1 && json.to.length <= 50 : typeof json.to === "string", "to: a string or 1-50 strings");
  need(problems, typeof json.subject === "string" && json.subject.length > 0, "subject");
  need(problems, typeof json.html === "string" || typeof json.text === "string", "html or text");
  need(problems, json.headers === undefined || isStringMap(json.headers), "headers: an object of strings");
  need(problems, json.reply_to === undefined || typeof json.reply_to === "string" || Array.isArray(json.reply_to), "reply_to: a string or strings");
  need(problems, json.headers?.["X-Tern-Message-Id"] === key, "Idempotency-Key equal to the X-Tern-Message-Id header");
  const id = randomUUID();
  return {
    key: String(key),
    problems,
    recipient: addressOf([json.to].flat()[0]),
    json,
    ok: () => ({ status: 200, body: { id }, id }),
    invalid: (p) => ({ status: 422, body: { statusCode: 422, name: "validation_error", message: p.join("; ") } }),
    fault: faults({
        "rate-limited": { status: 429, headers: { "retry-after": "7" }, body: { statusCode: 429, name: "rate_limit_exceeded", message: "Too many requests." } },
        "server-error": { status: 500, body: { statusCode: 500, name: "application_error", message: "An unexpected error occurred." } },
        rejected: { status: 403, body: { statusCode: 403, name: "validation_error", message: "The juniper.example domain is not verified." } },
        "in-flight": { status: 409, body: { statusCode: 409, name: "concurrent_idempotent_requests", message: "Same idempotency key used while original request is still in progress." } },
    }),
  };
};

const postmark: Handler = async (req, body) => {
  if (req.headers["x-postmark-server-token"] !== SECRETS.POSTMARK_SERVER_TOKEN) {
    return { status: 401, body: { ErrorCode: 10, Message: "The Server Token you provided in the X-Postmark-Server-Token request header was invalid." } };
  }
  const problems: string[] = [];
  const json = parseJson(body, req, problems);
  need(problems, /application\/json/.test(req.headers.accept ?? ""), "Accept: application/json");
  need(problems, typeof json.From === "string" && json.From.includes("@"), "From");
  need(problems, typeof json.To === "string" && json.To.includes("@"), "To");
  need(problems, typeof json.Subject === "string", "Subject");
  need(problems, typeof json.HtmlBody === "string" || typeof json.TextBody === "string", "HtmlBody or TextBody");
  const headers: { Name: string; Value: string }[] = Array.isArray(json.Headers) ? json.Headers : [];
  need(problems, Array.isArray(json.Headers) && headers.every((h) => typeof h.Name === "string" && typeof h.Value === "string"), "Headers: [{Name, Value}]");
  const unsubscribe = headers.some((h) => h.Name.toLowerCase() === "list-unsubscribe");
  need(problems, json.MessageStream === (unsubscribe ? "broadcast" : "outbound"), `MessageStream ${unsubscribe ? "broadcast" : "outbound"}`);
  need(problems, json.Metadata === undefined || isStringMap(json.Metadata), "Metadata: an object of strings");
  const id = randomUUID();
  return {
    key: headers.find((h) => h.Name === "X-Tern-Message-Id")?.Value ?? "",
    problems,
    recipient: addressOf(json.To),
    json,
    ok: () => ({ status: 200, body: { To: json.To, SubmittedAt: new Date().toISOString(), MessageID: id, ErrorCode: 0, Message: "OK" }, id }),
    invalid: (p) => ({ status: 422, body: { ErrorCode: 300, Message: `Invalid email request: ${p.join("; ")}` } }),
    fault: faults({
        "rate-limited": { status: 429, headers: { "retry-after": "7" }, body: { ErrorCode: 429, Message: "Rate limit exceeded" } },
        "server-error": { status: 500, body: { ErrorCode: 0, Message: "Internal Server Error" } },
        rejected: { status: 422, body: { ErrorCode: 406, Message: "You tried to send to recipient(s) that have been marked as inactive." } },
    }),
  };
};

const ses: Handler = async (req, body) => {
  const signature = verifySigV4(req, body);
  if (signature.length) {
    return { status: 403, headers: { "x-amzn-errortype": "SignatureDoesNotMatch" }, body: { message: `The request signature we calculated does not match: ${signature.join("; ")}` } };
  }
  const problems: string[] = [];
  const json = parseJson(body, req, problems);
  const to: string[] = json.Destination?.ToAddresses ?? [];
  need(problems, Array.isArray(to) && to.length === 1, "Destination.ToAddresses: one address");
  need(problems, typeof json.Content?.Raw?.Data === "string", "Content.Raw.Data: base64 of the MIME message");
  let mime: ParsedMime | undefined;
  if (typeof json.Content?.Raw?.Data === "string") {
    mime = await parseMime(Buffer.from(json.Content.Raw.Data, "base64"));
    need(problems, mime.defects.length === 0, `raw message without defects (${mime.defects.join(", ")})`);
    need(problems, !!mime.headers.From && !!mime.headers.To && !!mime.headers.Subject, "raw message with From, To and Subject");
  }
  const id = `0102019${randomBytes(12).toString("hex")}-${randomUUID()}-000000`;
  return {
    key: mime?.headers["X-Tern-Message-Id"] ?? "",
    problems,
    recipient: to[0] ?? "",
    json,
    ...(mime ? { mime } : {}),
    ok: () => ({ status: 200, body: { MessageId: id }, id }),
    invalid: (p) => ({ status: 400, headers: { "x-amzn-errortype": "BadRequestException" }, body: { message: p.join("; ") } }),
    fault: faults({
        "rate-limited": { status: 429, headers: { "x-amzn-errortype": "TooManyRequestsException", "retry-after": "7" }, body: { message: "Maximum sending rate exceeded." } },
        "server-error": { status: 500, headers: { "x-amzn-errortype": "InternalServiceErrorException" }, body: { message: "Internal failure." } },
        rejected: { status: 400, headers: { "x-amzn-errortype": "MessageRejected" }, body: { message: "Email address is not verified. The following identities failed the check in region EU-WEST-1: hello@juniper.example" } },
    }),
  };
};

const SENDGRID_RESERVED = ["x-sg-id", "x-sg-eid", "received", "dkim-signature", "content-type", "content-transfer-encoding", "to", "from", "subject", "reply-to", "cc", "bcc"];

const sendgrid: Handler = async (req, body) => {
  if (req.headers.authorization !== `Bearer ${SECRETS.SENDGRID_API_KEY}`) {
    return { status: 401, body: { errors: [{ field: null, message: "The provided authorization grant is invalid, expired, or revoked" }] } };
  }
  const problems: string[] = [];
  const json = parseJson(body, req, problems);
  const to = json.personalizations?.[0]?.to;
  need(problems, Array.isArray(json.personalizations) && json.personalizations.length >= 1, "personalizations: at least one");
  need(problems, Array.isArray(to) && to.length >= 1 && to.every((t: any) => typeof t.email === "string"), "personalizations[0].to: [{email, name?}]");
  need(problems, typeof json.from?.email === "string", "from.email");
  need(problems, typeof json.subject === "string" && json.subject.length > 0, "subject");
  const content: { type: string; value: string }[] = Array.isArray(json.content) ? json.content : [];
  need(problems, content.length >= 1 && content.every((c) => typeof c.value === "string" && c.value.length > 0), "content: [{type, value}] with values");
  const plain = content.findIndex((c) => c.type === "text/plain");
  need(problems, plain <= 0, "text/plain first in content");
  need(problems, json.headers === undefined || (isStringMap(json.headers) && Object.keys(json.headers).every((h) => !SENDGRID_RESERVED.includes(h.toLowerCase()))), "headers: strings, none reserved");
  need(problems, json.custom_args === undefined || isStringMap(json.custom_args), "custom_args: an object of strings");
  const id = randomBytes(16).toString("base64url");
  return {
    key: json.custom_args?.tern_message_id ?? "",
    problems,
    recipient: to?.[0]?.email ?? "",
    json,
    ok: () => ({ status: 202, headers: { "x-message-id": id }, id }),
    invalid: (p) => ({ status: 400, body: { errors: p.map((message) => ({ message, field: null })) } }),
    fault: faults({
        "rate-limited": { status: 429, headers: { "retry-after": "7" }, body: { errors: [{ field: null, message: "too many requests" }] } },
        "server-error": { status: 500, body: { errors: [{ field: null, message: "internal error" }] } },
        rejected: { status: 400, body: { errors: [{ field: "from.email", message: "The from address does not match a verified Sender Identity." }] } },
    }),
  };
};

const mailgun: Handler = async (req, body, path) => {
  const expected = `Basic ${Buffer.from(`api:${SECRETS.MAILGUN_API_KEY}`).toString("base64")}`;
  if (req.headers.authorization !== expected) return { status: 401, body: { message: "Invalid private key" } };
  const problems: string[] = [];
  need(problems, path === `/v3/${MAILGUN_DOMAIN}/messages.mime`, `the sending domain in the path (${MAILGUN_DOMAIN})`);
  need(problems, /^multipart\/form-data; ?boundary=/.test(req.headers["content-type"] ?? ""), "Content-Type: multipart/form-data");
  const form: Record<string, string> = {};
  let mime: ParsedMime | undefined;
  try {
    const data = await new Request("http://x", { method: "POST", headers: req.headers as HeadersInit, body }).formData();
    for (const [name, value] of data) {
      if (typeof value === "string") form[name] = value;
      else {
        const file = value as unknown as File;
        form[name] = `(file ${file.name}, ${file.type}, ${file.size} bytes)`;
        if (name === "message") mime = await parseMime(Buffer.from(await file.arrayBuffer()));
      }
    }
  } catch (err) {
    problems.push(`a multipart body (${err})`);
  }
  need(problems, !!form.to, "to");
  need(problems, !!mime, "message: the MIME message as a file");
  if (mime) need(problems, mime.defects.length === 0 && !!mime.headers.From, "a MIME message without defects");
  const id = `<${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}.${randomBytes(8).toString("hex")}@${MAILGUN_DOMAIN}>`;
  return {
    key: form["v:tern_message_id"] ?? "",
    problems,
    recipient: form.to ?? "",
    form,
    ...(mime ? { mime } : {}),
    ok: () => ({ status: 200, body: { id, message: "Queued. Thank you." }, id }),
    invalid: (p) => ({ status: 400, body: { message: p.join("; ") } }),
    fault: faults({
        "rate-limited": { status: 429, headers: { "retry-after": "7" }, body: { message: "Too many requests" } },
        "server-error": { status: 500, body: { message: "Internal Server Error" } },
        rejected: { status: 400, body: { message: "to parameter is not a valid address. please check documentation" } },
    }),
  };
};

/** An independent SigV4 check (node:crypto) of what the Web Crypto signer produced. */
function verifySigV4(req: IncomingMessage, body: Buffer): string[] {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? "");
  if (!m) return ["an AWS4-HMAC-SHA256 Authorization header"];
  const [, keyId, date, region, service, signed, signature] = m as unknown as string[];
  const problems: string[] = [];
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  need(problems, keyId === SECRETS.SES_ACCESS_KEY_ID, "the access key id");
  need(problems, region === SES_REGION && service === "ses", `scope ${SES_REGION}/ses`);
  need(problems, /^\d{8}T\d{6}Z$/.test(amzDate) && amzDate.startsWith(date!), "X-Amz-Date matching the scope date");
  const skew = Math.abs(Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z")) - Date.now());
  need(problems, skew < 5 * 60_000, "X-Amz-Date within 5 minutes");
  const names = signed!.split(";");
  need(problems, names.includes("host") && names.includes("x-amz-date"), "host and x-amz-date signed");
  const url = new URL(req.url ?? "/", "http://x");
  const query = [...url.searchParams].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).sort().join("&");
  const canonical = [
    req.method,
    url.pathname,
    query,
    names.map((n) => `${n}:${String(req.headers[n] ?? "").trim().replace(/\s+/g, " ")}\n`).join(""),
    signed,
    createHash("sha256").update(body).digest("hex"),
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, createHash("sha256").update(canonical).digest("hex")].join("\n");
  let key: Buffer = Buffer.from(`AWS4${SECRETS.SES_SECRET_ACCESS_KEY}`);
  for (const part of [date!, region!, service!, "aws4_request"]) key = createHmac("sha256", key).update(part).digest();
  need(problems, createHmac("sha256", key).update(toSign).digest("hex") === signature, "a signature that verifies");
  return problems;
}

/** Python's standard email package: a strict, independent MIME parser. */
function parseMime(raw: Buffer): Promise<ParsedMime> {
  const script = `
import sys, json, email
from email import policy
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.SMTP)
parts = {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}
print(json.dumps({"headers": {k: str(v) for k, v in msg.items()}, "parts": parts, "defects": [str(d) for d in msg.defects]}))`;
  return new Promise((resolve, reject) => {
    const py = spawn("/usr/bin/python3", ["-c", script]);
    let out = "";
    let err = "";
    py.stdout.on("data", (d) => (out += d));
    py.stderr.on("data", (d) => (err += d));
    py.on("error", reject);
    py.on("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`python email parser failed: ${err}`))));
    py.stdin.end(raw);
  });
}

function parseJson(body: Buffer, req: IncomingMessage, problems: string[]): any {
  need(problems, /^application\/json\b/.test(req.headers["content-type"] ?? ""), "Content-Type: application/json");
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    problems.push("a JSON body");
    return {};
  }
}

/** The address in "Name <address>" (or the whole string). */
const addressOf = (v: unknown) => /<([^<>]+)>\s*$/.exec(String(v ?? ""))?.[1] ?? String(v ?? "");

const faults = (answers: Record<string, Answer>) => (kind: string) => answers[kind] ?? null;

const need = (problems: string[], ok: boolean, what: string) => {
  if (!ok) problems.push(`expected ${what}`);
};

const isStringMap = (v: unknown) => !!v && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, answer: Answer) {
  const json = answer.body === undefined ? "" : JSON.stringify(answer.body);
  res.writeHead(answer.status, { ...(json ? { "content-type": "application/json" } : {}), ...answer.headers });
  res.end(json);
}
