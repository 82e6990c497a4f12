/**
 * The suppression list — addresses never to be mailed, keyed by the SHA-256 of the lower-cased address — and how
 * provider outcomes (deliveries, bounces, complaints) change messages, contacts and the list, in few D1 round trips.
 */
import { normalizeEmail } from "../core/contact";
import { resolveSettings } from "../core/settings";
import type { Outcome } from "../core/webhooks";
import { emailHash } from "./contacts";
import { chunk, MAX_PARAMS, runBatch } from "./db";
import type { Contact, suppressions } from "./schema";

export type SuppressionReason = (typeof suppressions.$inferSelect)["reason"];

/** Whichever tells the most wins when an address is suppressed twice; erased entries never change. */
const reasonRankSql = (col: string) =>
  `(CASE ${col} WHEN 'erased' THEN 5 WHEN 'complaint' THEN 4 WHEN 'hard_bounce' THEN 3 WHEN 'soft_bounce' THEN 2 ELSE 1 END)`;
const reasonRank: Record<SuppressionReason, number> = { erased: 5, complaint: 4, hard_bounce: 3, soft_bounce: 2, manual: 1, unsubscribed: 1 };

const statusRankSql = (col: string) => `(CASE ${col} WHEN 'complained' THEN 3 WHEN 'bounced' THEN 2 WHEN 'unsubscribed' THEN 1 ELSE 0 END)`;
const statusRank: Record<Contact["status"], number> = { complained: 3, bounced: 2, unsubscribed: 1, active: 0 };

/** Bounce and complaint suppressions put the contact in this status; removing them makes it active again. */
const contactStatusFor: Partial<Record<SuppressionReason, Contact["status"]>> = { hard_bounce: "bounced", soft_bounce: "bounced", complaint: "complained" };

// JSON arrays bound as one parameter and unpacked with json_each: a whole batch of rows per statement, whatever
// D1's limit on bound parameters.
const JSON_ROWS = 500;
const jsonRows = (sql: string, rows: unknown[], d1: D1Database, ...before: unknown[]) =>
  chunk(rows, JSON_ROWS).map((part) => d1.prepare(sql).bind(...before, JSON.stringify(part)));

const upsertSuppressionsSql = `
  INSERT INTO suppressions (email_hash, email, reason, detail, created_at)
  SELECT json_extract(value, '$.h'), json_extract(value, '$.e'), json_extract(value, '$.r'), json_extract(value, '$.d'), ?
  FROM json_each(?) WHERE true
  ON CONFLICT (email_hash) DO UPDATE SET reason = excluded.reason, detail = excluded.detail, email = coalesce(suppressions.email, excluded.email)
  WHERE ${reasonRankSql("suppressions.reason")} < ${reasonRankSql("excluded.reason")}`;

// ---------------------------------------------------------------------------------------------------------------
// Provider outcomes

export interface ApplyOptions {
  now: number;
  /** a one-time value of the request (Mailgun's token): seen before means a replay, and nothing is applied */
  nonce?: { key: string; window: number };
}

export interface ApplyResult {
  /** outcomes that changed something or were recorded */
  applied: number;
  /** outcomes already applied by an earlier delivery of the same webhook */
  duplicates: number;
  /** outcomes whose message and contact are both unknown (a bounce still suppresses the address) */
  unmatched: number;
  replay?: boolean;
}

interface MessageRow {
  id: string;
  contact_id: number | null;
  status: string;
  bounced_at: number | null;
  provider_message_id: string | null;
}
interface ContactRow {
  id: number;
  email: string | null;
  status: Contact["status"];
  soft_bounces: number;
}

const eventNames = { delivered: "Email Delivered", hard_bounce: "Email Bounced", soft_bounce: "Email Bounced", complaint: "Email Complained" } as const;

/**
 * Applies outcomes in time order: one read batch (messages, contacts, already-seen events, the soft-bounce limit),
 * then one write batch (events, message and contact updates, suppressions). Replays change nothing: every outcome
 * is recorded as an event keyed by the provider's event id, and seen ids are skipped.
 */
export async function applyOutcomes(d1: D1Database, outcomes: Outcome[], opts: ApplyOptions): Promise<ApplyResult> {
  const sorted = [...outcomes].sort((a, b) => a.at - b.at);
  const snap = await snapshot(d1, sorted, opts.nonce);
  if (snap.replay) return { applied: 0, duplicates: outcomes.length, unmatched: 0, replay: true };

  const result: ApplyResult = { applied: 0, duplicates: 0, unmatched: 0 };
  const seen = new Set(snap.seenKeys);
  const events: unknown[] = [];
  const suppress = new Map<string, { h: string; e: string; r: SuppressionReason; d: string }>();
  const messageUpdates = new Map<string, { id: string; d: number | null; b: number | null; c: number | null }>();
  const contactUpdates = new Map<number, { id: number; status: Contact["status"] | null; reset: 0 | 1; inc: number; count: number }>();
  const bouncedMessages = new Set(snap.messages.filter((m) => m.bounced_at !== null).map((m) => m.id));

  for (const o of sorted) {
    const key = `hook:${o.eventId}`;
    if (seen.has(key)) {
      result.duplicates++;
      continue;
    }
    seen.add(key);
    const message = (o.ternMessageId && snap.messageById.get(o.ternMessageId)) || providerMatch(snap.messageByProviderId, o.providerMessageId);
    // The message's contact, unless the reported address belongs to someone else (another recipient, or the
    // contact changed address since); then the address's owner, if any.
    const sentTo = message?.contact_id != null ? snap.contactById.get(message.contact_id) : undefined;
    const contact = sentTo?.email === o.email ? sentTo : (snap.contactByEmail.get(o.email) ?? sentTo);
    if (!message && !contact) result.unmatched++;

    // Repeated soft failures of one message (Mailgun reports every retry) count once.
    if (o.kind === "soft_bounce" && message && bouncedMessages.has(message.id)) {
      result.duplicates++;
      continue;
    }
    result.applied++;

    if (message) {
      const u = messageUpdates.get(message.id) ?? { id: message.id, d: null, b: null, c: null };
      if (o.kind === "delivered") u.d ??= o.at;
      else if (o.kind === "complaint") u.c ??= o.at;
      else {
        u.b ??= o.at;
        bouncedMessages.add(message.id);
      }
      messageUpdates.set(message.id, u);
    }

    // A contact whose address changed since the send keeps its status: the bounce was for the old address.
    let softLimitReached = false;
    if (contact && contact.email === o.email) {
      const u = contactUpdates.get(contact.id) ?? { id: contact.id, status: null, reset: 0, inc: 0, count: contact.soft_bounces };
      if (o.kind === "delivered") Object.assign(u, { reset: 1, inc: 0, count: 0 });
      else if (o.kind === "soft_bounce") {
        u.inc++;
        u.count++;
        softLimitReached = u.count >= snap.softBounceLimit;
      }
      const status = o.kind === "complaint" ? "complained" : o.kind === "hard_bounce" || softLimitReached ? "bounced" : null;
      if (status && statusRank[status] > statusRank[u.status ?? contact.status]) u.status = status;
      contactUpdates.set(contact.id, u);
    }

    const reason: SuppressionReason | null = o.kind === "hard_bounce" ? "hard_bounce" : o.kind === "complaint" ? "complaint" : softLimitReached ? "soft_bounce" : null;
    if (reason) {
      const h = await emailHash(o.email);
      const prev = suppress.get(h);
      const detail = softLimitReached ? `${snap.softBounceLimit} soft bounces in a row; last: ${o.detail}` : o.detail;
      if (!prev || reasonRank[reason] > reasonRank[prev.r]) suppress.set(h, { h, e: o.email, r: reason, d: detail.slice(0, 600) });
    }

    if (contact) {
      const props: Record<string, unknown> = { provider: o.eventId.split(":")[0] };
      if (o.kind === "hard_bounce" || o.kind === "soft_bounce") props.type = o.kind === "hard_bounce" ? "hard" : "soft";
      if (o.detail) props.detail = o.detail;
      if (o.providerMessageId) props.providerMessageId = o.providerMessageId;
      events.push({ c: contact.id, n: eventNames[o.kind], p: JSON.stringify(props), at: o.at, k: key, m: message?.id ?? null });
    }
  }

  const { now } = opts;
  await runBatch(d1, [
    ...(opts.nonce ? [d1.prepare("INSERT INTO rate_limits (key, window, count) VALUES (?, ?, 1) ON CONFLICT (key, window) DO UPDATE SET count = count + 1").bind(opts.nonce.key, opts.nonce.window)] : []),
    ...jsonRows(
      `INSERT INTO events (contact_id, type, name, properties, occurred_at, received_at, source, message_id, email_id)
       SELECT json_extract(value, '$.c'), 'email', json_extract(value, '$.n'), json_extract(value, '$.p'), json_extract(value, '$.at'), ?, 'email',
              json_extract(value, '$.k'), json_extract(value, '$.m')
       FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`,
      events, d1, now,
    ),
    ...jsonRows(
      `UPDATE messages SET
         status = CASE
           WHEN v.c IS NOT NULL AND messages.status IN ('sending', 'sent', 'delivered', 'bounced') THEN 'complained'
           WHEN v.b IS NOT NULL AND messages.status IN ('sending', 'sent', 'delivered') THEN 'bounced'
           WHEN v.d IS NOT NULL AND messages.status IN ('sending', 'sent') THEN 'delivered'
           ELSE messages.status END,
         delivered_at = CASE WHEN messages.status IN ('queued', 'failed', 'suppressed', 'cancelled') THEN messages.delivered_at
                             ELSE coalesce(messages.delivered_at, v.d) END,
         bounced_at = coalesce(messages.bounced_at, v.b),
         complained_at = coalesce(messages.complained_at, v.c)
       FROM (SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.d') AS d, json_extract(value, '$.b') AS b, json_extract(value, '$.c') AS c
             FROM json_each(?)) AS v
       WHERE messages.id = v.id`,
      [...messageUpdates.values()], d1,
    ),
    ...jsonRows(
      `UPDATE contacts SET
         soft_bounces = CASE WHEN v.reset = 1 THEN v.inc ELSE contacts.soft_bounces + v.inc END,
         status = CASE WHEN v.status IS NOT NULL AND ${statusRankSql("v.status")} > ${statusRankSql("contacts.status")} THEN v.status ELSE contacts.status END,
         updated_at = ?
       FROM (SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.status') AS status, json_extract(value, '$.reset') AS reset,
                    json_extract(value, '$.inc') AS inc FROM json_each(?)) AS v
       WHERE contacts.id = v.id`,
      [...contactUpdates.values()], d1, now,
    ),
    ...jsonRows(upsertSuppressionsSql, [...suppress.values()], d1, now),
  ]);
  return result;
}

function providerMatch(byProviderId: Map<string, MessageRow>, id: string | undefined): MessageRow | undefined {
  // Some adapters store ids as returned (Mailgun: "<id@domain>"), webhooks send them bare, or the other way round.
  return id ? (byProviderId.get(id) ?? byProviderId.get(`<${id}>`) ?? byProviderId.get(id.replace(/^<|>$/g, ""))) : undefined;
}

async function snapshot(d1: D1Database, outcomes: Outcome[], nonce: ApplyOptions["nonce"]) {
  const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x))];
  const ternIds = uniq(outcomes.map((o) => o.ternMessageId));
  const providerIds = uniq(outcomes.flatMap((o) => (o.providerMessageId ? [o.providerMessageId, `<${o.providerMessageId}>`, o.providerMessageId.replace(/^<|>$/g, "")] : [])));
  const emails = uniq(outcomes.map((o) => o.email));
  const keys = uniq(outcomes.map((o) => `hook:${o.eventId}`));

  const messageCols = "id, contact_id, status, bounced_at, provider_message_id";
  const contactCols = "c.id, c.email, c.status, c.soft_bounces";
  const inList = (sql: (marks: string) => string, values: string[]) =>
    chunk(values, MAX_PARAMS).map((part) => d1.prepare(sql(part.map(() => "?").join(","))).bind(...part));
  const groups = {
    byId: inList((q) => `SELECT ${messageCols} FROM messages WHERE id IN (${q})`, ternIds),
    byProvider: inList((q) => `SELECT ${messageCols} FROM messages WHERE provider_message_id IN (${q})`, providerIds),
    contactsByEmail: inList((q) => `SELECT ${contactCols} FROM contacts c WHERE c.email IN (${q})`, emails),
    contactsById: inList((q) => `SELECT ${contactCols} FROM contacts c WHERE c.id IN (SELECT contact_id FROM messages WHERE id IN (${q}))`, ternIds),
    contactsByProvider: inList((q) => `SELECT ${contactCols} FROM contacts c WHERE c.id IN (SELECT contact_id FROM messages WHERE provider_message_id IN (${q}))`, providerIds),
    seen: inList((q) => `SELECT message_id AS k FROM events WHERE source = 'email' AND message_id IN (${q})`, keys),
    settings: [d1.prepare("SELECT value FROM settings WHERE key = 'sending'")],
    nonce: nonce ? [d1.prepare("SELECT count FROM rate_limits WHERE key = ? AND window = ?").bind(nonce.key, nonce.window)] : [],
  };
  const names = Object.keys(groups) as (keyof typeof groups)[];
  const results = await runBatch(d1, names.flatMap((n) => groups[n]));
  const rows: Record<string, unknown[]> = {};
  let i = 0;
  for (const n of names) rows[n] = groups[n].flatMap(() => results[i++]!.results);

  const messages = [...(rows.byId as MessageRow[]), ...(rows.byProvider as MessageRow[])];
  const contacts = [...(rows.contactsByEmail as ContactRow[]), ...(rows.contactsById as ContactRow[]), ...(rows.contactsByProvider as ContactRow[])];
  const stored = (rows.settings as { value: string }[])[0]?.value;
  let sending: unknown = {};
  try {
    sending = stored ? JSON.parse(stored) : {};
  } catch {
    sending = {};
  }
  return {
    replay: rows.nonce!.length > 0,
    messages,
    messageById: new Map(messages.map((m) => [m.id, m])),
    messageByProviderId: new Map(messages.filter((m) => m.provider_message_id).map((m) => [m.provider_message_id!, m])),
    contactById: new Map(contacts.map((c) => [c.id, c])),
    contactByEmail: new Map(contacts.filter((c) => c.email).map((c) => [c.email!, c])),
    seenKeys: (rows.seen as { k: string }[]).map((r) => r.k),
    softBounceLimit: resolveSettings({ sending }).sending.softBounceLimit,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Checks for the sender

/** The suppression reason of each listed address that is suppressed (keys: the addresses lower-cased). */
export async function suppressionReasons(d1: D1Database, emails: string[]): Promise<Map<string, SuppressionReason>> {
  const byHash = new Map<string, string>();
  for (const e of new Set(emails.map((x) => x.trim().toLowerCase()).filter(Boolean))) byHash.set(await emailHash(e), e);
  const statements = chunk([...byHash.keys()], MAX_PARAMS).map((part) =>
    d1.prepare(`SELECT email_hash AS h, reason FROM suppressions WHERE email_hash IN (${part.map(() => "?").join(",")})`).bind(...part),
  );
  const out = new Map<string, SuppressionReason>();
  for (const r of await runBatch(d1, statements)) {
    for (const row of r.results as { h: string; reason: SuppressionReason }[]) out.set(byHash.get(row.h)!, row.reason);
  }
  return out;
}

/**
 * The addresses (lower-cased) that must not be sent this kind of email, in one round trip. Transactional mail
 * (receipts, password resets) still goes to people who only unsubscribed from marketing.
 */
export async function isSuppressed(d1: D1Database, emails: string[], kind: "marketing" | "transactional" = "marketing"): Promise<Set<string>> {
  const reasons = await suppressionReasons(d1, emails);
  return new Set([...reasons].filter(([, reason]) => kind === "marketing" || reason !== "unsubscribed").map(([email]) => email));
}

// ---------------------------------------------------------------------------------------------------------------
// Admin

export interface SuppressionFilter {
  q?: string;
  reason?: SuppressionReason;
}

export interface SuppressionItem {
  emailHash: string;
  email: string | null;
  reason: SuppressionReason;
  detail: string | null;
  createdAt: number;
  contactId: number | null;
  contactStatus: Contact["status"] | null;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);
const cursorRe = /^(\d{1,15}):([0-9a-f]{64})$/;
const selectItems = `SELECT s.email_hash AS emailHash, s.email, s.reason, s.detail, s.created_at AS createdAt, c.id AS contactId, c.status AS contactStatus
  FROM suppressions s LEFT JOIN contacts c ON c.email = s.email`;

/**
 * Newest first with keyset pagination (cursor `createdAt:emailHash`). `q` matches part of an address, or a whole
 * address by its hash, which finds erased entries too.
 */
export async function listSuppressions(d1: D1Database, f: SuppressionFilter, page: { cursor?: string; limit: number }) {
  const conds: string[] = [];
  const values: unknown[] = [];
  const q = f.q?.trim().toLowerCase();
  if (q) {
    conds.push("(s.email LIKE ? ESCAPE '\\' OR s.email_hash = ?)");
    values.push(`%${likeEscape(q)}%`, await emailHash(q));
  }
  if (f.reason) {
    conds.push("s.reason = ?");
    values.push(f.reason);
  }
  const filterSql = conds.length ? `WHERE ${conds.join(" AND ")}` : "";
  const cursor = cursorRe.exec(page.cursor ?? "");
  const pageConds = cursor ? [...conds, "(s.created_at < ? OR (s.created_at = ? AND s.email_hash < ?))"] : conds;
  const pageValues = cursor ? [...values, Number(cursor[1]), Number(cursor[1]), cursor[2]] : values;
  const statements = [
    d1
      .prepare(`${selectItems} ${pageConds.length ? `WHERE ${pageConds.join(" AND ")}` : ""} ORDER BY s.created_at DESC, s.email_hash DESC LIMIT ?`)
      .bind(...pageValues, page.limit + 1),
    // The total is only worth its scan on the first page.
    ...(cursor ? [] : [d1.prepare(`SELECT count(*) AS n FROM suppressions s ${filterSql}`).bind(...values)]),
  ];
  const [list, count] = await d1.batch(statements);
  const rows = list!.results as SuppressionItem[];
  const more = rows.length > page.limit;
  const items = more ? rows.slice(0, page.limit) : rows;
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: more && last ? `${last.createdAt}:${last.emailHash}` : null,
    total: count ? ((count.results[0] as { n: number } | undefined)?.n ?? 0) : undefined,
  };
}

export async function getSuppression(d1: D1Database, hash: string): Promise<SuppressionItem | null> {
  return d1.prepare(`${selectItems} WHERE s.email_hash = ?`).bind(hash).first<SuppressionItem>();
}

/**
 * Adds an address by hand. An existing entry with a stronger reason stays as it is; bounce and complaint reasons
 * also set the contact's status, like a provider's report would.
 */
export async function addSuppression(d1: D1Database, input: { email: string; reason: SuppressionReason; detail: string }, now: number) {
  const email = normalizeEmail(input.email);
  if (!email) throw new Error("addSuppression needs a valid address");
  const h = await emailHash(email);
  const existing = await getSuppression(d1, h);
  if (existing && reasonRank[existing.reason] >= reasonRank[input.reason]) return { item: existing, created: false };
  const status = contactStatusFor[input.reason];
  await runBatch(d1, [
    ...jsonRows(upsertSuppressionsSql, [{ h, e: email, r: input.reason, d: input.detail }], d1, now),
    ...(status
      ? [
          d1
            .prepare(`UPDATE contacts SET status = ?, updated_at = ? WHERE email = ? AND ${statusRankSql("status")} < ${statusRankSql("?")}`)
            .bind(status, now, email, status),
        ]
      : []),
  ]);
  return { item: (await getSuppression(d1, h))!, created: !existing };
}

/**
 * Removes an entry. Erased addresses stay (GDPR erasure must keep them unmailable); removing a bounce or complaint
 * makes a contact that was bounced/complained active again, with its soft-bounce count reset.
 */
export async function removeSuppression(d1: D1Database, hash: string, now: number): Promise<"not_found" | "erased" | { reactivated: boolean }> {
  const row = await d1.prepare("SELECT email, reason FROM suppressions WHERE email_hash = ?").bind(hash).first<{ email: string | null; reason: SuppressionReason }>();
  if (!row) return "not_found";
  if (row.reason === "erased") return "erased";
  const reactivate = contactStatusFor[row.reason] && row.email;
  const results = await runBatch(d1, [
    d1.prepare("DELETE FROM suppressions WHERE email_hash = ? AND reason != 'erased'").bind(hash),
    ...(reactivate
      ? [d1.prepare("UPDATE contacts SET status = 'active', soft_bounces = 0, updated_at = ? WHERE email = ? AND status IN ('bounced', 'complained') RETURNING id").bind(now, row.email)]
      : []),
  ]);
  return { reactivated: (results[1]?.results.length ?? 0) > 0 };
}
