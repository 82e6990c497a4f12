/** Segment HTTP Tracking API messages: validation (zod) and normalisation into Tern events. */
import { z } from "zod";
import { isTimezone, mapTraits, type ContactFields } from "./contact";

export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;
export const MAX_BATCH_EVENTS = 2500;

export const messageTypes = ["identify", "track", "page", "screen", "group", "alias"] as const;
export type MessageType = (typeof messageTypes)[number];

/** Path segment → message type; analytics.js posts to the one-letter paths. */
export const pathTypes: Record<string, MessageType> = {
  identify: "identify", i: "identify",
  track: "track", t: "track",
  page: "page", p: "page",
  screen: "screen", s: "screen",
  group: "group", g: "group",
  alias: "alias", a: "alias",
};

const id = z.union([z.string().trim().min(1).max(255), z.number().finite()]).transform(String);
const obj = z.record(z.string(), z.unknown());
const date = z
  .string()
  .max(64)
  .refine((s) => !Number.isNaN(Date.parse(s)), "not an ISO-8601 date");

const base = {
  userId: id.nullish(),
  anonymousId: id.nullish(),
  messageId: z.string().max(255).optional(),
  timestamp: date.optional(),
  originalTimestamp: date.optional(),
  sentAt: date.optional(),
  context: obj.optional(),
  integrations: obj.optional(),
};

const schemas = {
  identify: z.object({ ...base, traits: obj.optional() }),
  track: z.object({ ...base, event: z.string().trim().min(1).max(200), properties: obj.optional() }),
  page: z.object({ ...base, name: z.string().max(200).nullish(), category: z.string().max(200).nullish(), properties: obj.optional() }),
  screen: z.object({ ...base, name: z.string().max(200).nullish(), properties: obj.optional() }),
  group: z.object({ ...base, groupId: id, traits: obj.optional() }),
  alias: z.object({ ...base, previousId: id }),
} as const;

export const batchEnvelope = z.object({
  batch: z.array(z.unknown()).min(1).max(MAX_BATCH_EVENTS),
  context: obj.optional(),
  integrations: obj.optional(),
  sentAt: date.optional(),
});

export interface Issue {
  path: string;
  message: string;
}

export interface ProductInfo {
  id: string;
  sku?: string;
  name?: string;
  price?: number;
  currency?: string;
  url?: string;
  imageUrl?: string;
  category?: string;
  brand?: string;
}

/** One accepted message, ready for identity resolution and storage. */
export interface IngestMessage {
  type: MessageType;
  /** event name as stored ("Order Completed", "Page Viewed"); null for identify and alias */
  name: string | null;
  userId: string | null;
  anonymousId: string | null;
  previousId: string | null;
  email: string | null;
  fields: ContactFields;
  traits: Record<string, unknown>;
  properties: Record<string, unknown>;
  context: Record<string, unknown> | null;
  occurredAt: number;
  messageId: string | null;
  value: number | null;
  products: ProductInfo[];
}

const ORDER_EVENTS = new Set(["Order Completed", "Order Refunded", "Order Updated", "Checkout Started", "Cart Viewed", "Order Cancelled"]);
const PRODUCT_EVENTS = new Set(["Product Viewed", "Product Clicked", "Product Added", "Product Removed", "Product Added to Wishlist", "Product Reviewed", "Product Shared"]);

/** Which events change a contact's order totals. */
export const REVENUE_EVENTS = ["Order Completed", "Order Refunded"] as const;

const EARLIEST = Date.UTC(2000, 0, 1);
const MAX_FUTURE_MS = 24 * 3600 * 1000;

/**
 * Validates one raw message and normalises it. `fallbackType` is the endpoint's type (a message's own `type`
 * wins in a batch); `sentAt` and `context` may come from a batch envelope.
 */
export function parseMessage(
  raw: unknown,
  opts: { fallbackType?: MessageType; receivedAt: number; sentAt?: string; context?: Record<string, unknown>; path?: string },
): { message: IngestMessage } | { issues: Issue[] } {
  const prefix = opts.path ?? "";
  const at = (p: PropertyKey[]) => [prefix, ...p.map(String)].filter(Boolean).join(".");
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { issues: [{ path: prefix, message: "must be a JSON object" }] };
  const declared = (raw as { type?: unknown }).type;
  const type = typeof declared === "string" ? (messageTypes as readonly string[]).includes(declared) ? (declared as MessageType) : null : opts.fallbackType;
  if (!type) return { issues: [{ path: at(["type"]), message: `type must be one of ${messageTypes.join(", ")}` }] };

  const parsed = schemas[type].safeParse(raw);
  if (!parsed.success) return { issues: parsed.error.issues.map((i) => ({ path: at(i.path), message: i.message })) };
  const m = parsed.data as z.infer<(typeof schemas)["track"]> & Partial<{ traits: Record<string, unknown>; name: string | null; category: string | null; groupId: string; previousId: string }>;

  const issues: Issue[] = [];
  if (!m.userId && !m.anonymousId) issues.push({ path: at(["userId"]), message: "userId or anonymousId is required" });

  const context = m.context || opts.context ? { ...opts.context, ...m.context } : null;
  // Segment puts the known traits of the user in context.traits on track/page calls.
  const contextTraits = context && isObject(context.traits) ? context.traits : {};
  const ownTraits = type === "identify" ? m.traits ?? {} : {};
  const mapped = mapTraits({ ...contextTraits, ...ownTraits });
  for (const [path, message] of mapped.issues) issues.push({ path: at([type === "identify" && path in ownTraits ? "traits" : "context.traits", path]), message });
  if (context) {
    if (mapped.fields.timezone === undefined && typeof context.timezone === "string" && isTimezone(context.timezone)) mapped.fields.timezone = context.timezone;
    if (mapped.fields.locale === undefined && typeof context.locale === "string") mapped.fields.locale = context.locale.slice(0, 35);
  }

  const sentAt = m.sentAt ?? opts.sentAt;
  const stamp = m.timestamp ?? m.originalTimestamp;
  let occurredAt = opts.receivedAt;
  if (stamp) {
    occurredAt = Date.parse(stamp);
    // Correct the sender's clock skew: the gap between sending and the event is trusted, its clock is not.
    if (sentAt) occurredAt = opts.receivedAt - (Date.parse(sentAt) - occurredAt);
  }
  if (occurredAt < EARLIEST || occurredAt > opts.receivedAt + MAX_FUTURE_MS) {
    issues.push({ path: at(["timestamp"]), message: "timestamp is before 2000 or more than a day in the future" });
  }
  if (issues.length) return { issues };

  const properties: Record<string, unknown> = type === "group" ? { group_id: m.groupId, ...(m.traits ?? {}) } : { ...(m.properties ?? {}) };
  if (type === "page" || type === "screen") {
    if (m.name) properties.name ??= m.name;
    if (m.category) properties.category ??= m.category;
  }
  const name = type === "track" ? m.event : type === "page" ? "Page Viewed" : type === "screen" ? "Screen Viewed" : type === "group" ? "Group" : null;

  return {
    message: {
      type,
      name,
      userId: m.userId ?? null,
      anonymousId: m.anonymousId ?? null,
      previousId: m.previousId ?? null,
      email: mapped.fields.email ?? null,
      fields: mapped.fields,
      traits: mapped.properties,
      properties,
      context: context ? trimContext(context) : null,
      occurredAt,
      messageId: m.messageId ?? null,
      value: name ? eventValue(name, properties) : null,
      products: name ? eventProducts(name, properties) : [],
    },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

const num = (v: unknown): number | null => {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : null;
};
const str = (v: unknown, max = 500): string | undefined =>
  typeof v === "string" && v.length > 0 ? v.slice(0, max) : typeof v === "number" ? String(v) : undefined;

/** Money value of an ecommerce event: revenue, else total, else value, else the sum of its products. */
export function eventValue(name: string, props: Record<string, unknown>): number | null {
  if (!ORDER_EVENTS.has(name) && !PRODUCT_EVENTS.has(name)) return null;
  const direct = num(props.revenue) ?? num(props.total) ?? num(props.value);
  if (direct !== null) return direct;
  if (PRODUCT_EVENTS.has(name)) {
    const price = num(props.price);
    return price === null ? null : price * (num(props.quantity) ?? 1);
  }
  if (!Array.isArray(props.products)) return null;
  let sum = 0;
  for (const p of props.products) if (isObject(p)) sum += (num(p.price) ?? 0) * (num(p.quantity) ?? 1);
  return sum;
}

/** Catalog entries mentioned by an ecommerce event, so the product catalog fills itself. */
export function eventProducts(name: string, props: Record<string, unknown>): ProductInfo[] {
  const list = PRODUCT_EVENTS.has(name) ? [props] : ORDER_EVENTS.has(name) && Array.isArray(props.products) ? props.products : [];
  const out: ProductInfo[] = [];
  for (const p of list.slice(0, 100)) {
    if (!isObject(p)) continue;
    const id = str(p.product_id, 200) ?? str(p.id, 200) ?? str(p.sku, 200);
    if (!id) continue;
    out.push({
      id,
      sku: str(p.sku, 200),
      name: str(p.name),
      price: num(p.price) ?? undefined,
      currency: str(props.currency ?? p.currency, 3)?.toUpperCase(),
      url: httpUrl(p.url),
      imageUrl: httpUrl(p.image_url),
      category: str(p.category),
      brand: str(p.brand),
    });
  }
  return out;
}

function httpUrl(v: unknown): string | undefined {
  const s = str(v, 2000);
  return s && /^https?:\/\//i.test(s) ? s : undefined;
}

/** Keeps the parts of Segment's context that reports and attribution use; the rest is noise per event. */
function trimContext(ctx: Record<string, unknown>): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const key of ["ip", "userAgent", "locale", "timezone", "campaign", "referrer"]) if (ctx[key] !== undefined) out[key] = ctx[key];
  if (isObject(ctx.page)) out.page = { url: ctx.page.url, path: ctx.page.path, referrer: ctx.page.referrer, title: ctx.page.title };
  if (isObject(ctx.library)) out.library = { name: ctx.library.name, version: ctx.library.version };
  return Object.keys(out).length ? out : null;
}
