/** /v1/* — Segment HTTP Tracking API compatible event ingest, authenticated by write keys. */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { batchEnvelope, MAX_BATCH_BYTES, MAX_EVENT_BYTES, parseMessage, pathTypes, type IngestMessage, type Issue, type MessageType } from "../core/ingest";
import type { AppEnv } from "../env";
import { writeKeySource } from "../store/auth";
import { forwardToJourneys } from "../journeys/forward";
import { ingestMessages } from "../store/ingest";
import { readJson, tooLarge } from "./body";
import { badRequest, HttpError } from "./errors";
import { clientIp, TokenBuckets } from "./ratelimit";

export const ingest = new Hono<AppEnv>();

// Browsers post from the shop's own origin: analytics.js uses text/plain (no preflight), RudderStack JSON + Basic.
ingest.use("*", cors({ origin: "*", allowMethods: ["POST", "OPTIONS"], allowHeaders: ["Authorization", "Content-Type", "Content-Encoding", "AnonymousId"], maxAge: 86400 }));

// Per-IP flood guard (per isolate); storefront servers batch, browsers send a few calls per page.
const buckets = new TokenBuckets(200, 1000);
const BATCH_PATHS = new Set(["batch", "b", "import"]);
const encoder = new TextEncoder();

const unauthorized = () =>
  new HttpError(401, "unauthorized", "A valid write key is required: HTTP Basic username, Bearer token or writeKey in the body", undefined, {
    "WWW-Authenticate": 'Basic realm="tern ingest"',
  });

ingest.post("/:kind", async (c) => {
  const kind = c.req.param("kind");
  const isBatch = BATCH_PATHS.has(kind);
  const type: MessageType | undefined = pathTypes[kind];
  if (!isBatch && !type) throw new HttpError(404, "not_found", `Unknown endpoint /v1/${kind}`);
  const receivedAt = Date.now();

  const wait = buckets.take(clientIp(c.req.raw), receivedAt);
  if (wait) throw new HttpError(429, "rate_limited", "Too many requests", undefined, { "Retry-After": String(wait), "X-RateLimit-Reset": String(wait) });

  const headerKey = keyFromHeader(c.req.header("authorization"));
  const defer = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  if (headerKey !== null && !(await writeKeySource(c.env.DB, headerKey, receivedAt, defer))) throw unauthorized();

  const body = await readJson(c.req.raw, isBatch ? MAX_BATCH_BYTES : MAX_EVENT_BYTES);
  const key = headerKey ?? (isRecord(body) && typeof body.writeKey === "string" ? body.writeKey : null);
  const source = key ? await writeKeySource(c.env.DB, key, receivedAt, defer) : null;
  if (!source) throw unauthorized();

  const messages = isBatch ? parseBatch(body, receivedAt) : parseOne(body, type!, receivedAt);
  const { events } = await ingestMessages(c.env.DB, source, messages, receivedAt);
  // Flows react within seconds; the answer does not wait for them.
  c.executionCtx.waitUntil(forwardToJourneys(c.env, events, receivedAt));
  return c.json({ success: true });
});

function parseOne(body: unknown, type: MessageType, receivedAt: number): IngestMessage[] {
  const result = parseMessage(body, { fallbackType: type, receivedAt });
  if ("issues" in result) throw badRequest("The event is not valid", result.issues);
  return [result.message];
}

function parseBatch(body: unknown, receivedAt: number): IngestMessage[] {
  const envelope = batchEnvelope.safeParse(body);
  if (!envelope.success) {
    throw badRequest("The batch is not valid", envelope.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })));
  }
  const { batch, context, sentAt } = envelope.data;
  const messages: IngestMessage[] = [];
  const issues: Issue[] = [];
  batch.forEach((raw, i) => {
    if (eventBytes(raw) > MAX_EVENT_BYTES) throw Object.assign(tooLarge(MAX_EVENT_BYTES), { message: `batch.${i} is larger than 32 KB` });
    const result = parseMessage(raw, { receivedAt, sentAt, context, path: `batch.${i}` });
    if ("issues" in result) issues.push(...result.issues);
    else messages.push(result.message);
  });
  // All or nothing: a batch with an invalid event is refused whole, so the sender can fix and resend it.
  if (issues.length) throw badRequest("Some events in the batch are not valid", issues);
  return messages;
}

function eventBytes(raw: unknown): number {
  const text = JSON.stringify(raw) ?? "";
  // UTF-8 is at most 3 bytes per UTF-16 unit: only measure exactly when it could matter.
  return text.length * 3 <= MAX_EVENT_BYTES ? text.length : encoder.encode(text).byteLength;
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** Write key from `Basic base64(key:)` or `Bearer key`; null when there is no Authorization header. */
export function keyFromHeader(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value = ""] = header.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme ?? "")) return value;
  if (/^basic$/i.test(scheme ?? "")) {
    try {
      const decoded = atob(value);
      return decoded.slice(0, decoded.includes(":") ? decoded.indexOf(":") : undefined);
    } catch {
      return "";
    }
  }
  return "";
}
