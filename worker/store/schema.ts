/** D1 schema for the whole product; migrations are generated from this file by drizzle-kit. */
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// Times are integer milliseconds since the epoch (UTC) everywhere; JSON columns hold objects as text.
const ms = (name: string) => integer(name);
const json = <T>(name: string) => text(name, { mode: "json" }).$type<T>();
type Props = Record<string, unknown>;

export const contacts = sqliteTable(
  "contacts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    email: text("email"), // lower-cased; null for anonymous visitors
    externalId: text("external_id"), // the storefront's user id (Segment userId)
    firstName: text("first_name"),
    lastName: text("last_name"),
    phone: text("phone"),
    timezone: text("timezone"), // IANA name
    locale: text("locale"),
    country: text("country"),
    birthday: text("birthday"), // YYYY-MM-DD, or --MM-DD when the year is unknown
    properties: json<Props>("properties").notNull().default({}),
    // active: may be emailed per topic consent; unsubscribed/bounced/complained: never marketed to.
    status: text("status", { enum: ["active", "unsubscribed", "bounced", "complained"] }).notNull().default("active"),
    source: text("source").notNull().default("api"),
    // Denormalised from events so segments and RFM stay one indexed read.
    orderCount: integer("order_count").notNull().default(0),
    revenue: real("revenue").notNull().default(0),
    /** soft bounces in a row; reset by a delivery */
    softBounces: integer("soft_bounces").notNull().default(0),
    /** preference center: all marketing email, or at most one a week / a month */
    emailFrequency: text("email_frequency", { enum: ["all", "weekly", "monthly"] }).notNull().default("all"),
    /** preference center: no marketing email until then */
    pausedUntil: ms("paused_until"),
    // RFM quintiles (1-5, 5 best) among customers, recomputed daily by the cron trigger; null for non-customers.
    rfmR: integer("rfm_r"),
    rfmF: integer("rfm_f"),
    rfmM: integer("rfm_m"),
    firstOrderAt: ms("first_order_at"),
    lastOrderAt: ms("last_order_at"),
    lastOpenedAt: ms("last_opened_at"),
    lastClickedAt: ms("last_clicked_at"),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("contacts_email").on(t.email),
    uniqueIndex("contacts_external_id").on(t.externalId),
    index("contacts_created").on(t.createdAt),
    index("contacts_status").on(t.status, t.id),
    index("contacts_last_order").on(t.lastOrderAt),
  ],
);

/** Anonymous ids (Segment anonymousId) and retired user ids that resolve to a contact. */
export const contactAliases = sqliteTable(
  "contact_aliases",
  {
    alias: text("alias").primaryKey(),
    contactId: integer("contact_id").notNull(),
    kind: text("kind", { enum: ["anonymous", "user"] }).notNull().default("anonymous"),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [index("contact_aliases_contact").on(t.contactId)],
);

export const topics = sqliteTable("topics", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  key: text("key").notNull().unique(),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  // transactional topics are exempt from marketing consent and frequency rules
  kind: text("kind", { enum: ["marketing", "transactional"] }).notNull().default("marketing"),
  doubleOptIn: integer("double_opt_in", { mode: "boolean" }).notNull().default(true),
  createdAt: ms("created_at").notNull(),
});

/** Consent per contact and topic, with the record of how it was given (kept after unsubscribe). */
export const subscriptions = sqliteTable(
  "subscriptions",
  {
    contactId: integer("contact_id").notNull(),
    topicId: integer("topic_id").notNull(),
    status: text("status", { enum: ["pending", "subscribed", "unsubscribed"] }).notNull(),
    source: text("source").notNull(), // form, import, api, ingest, admin, preference_center
    formId: integer("form_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    pageUrl: text("page_url"),
    consentText: text("consent_text"),
    consentVersion: text("consent_version"),
    subscribedAt: ms("subscribed_at"),
    confirmedAt: ms("confirmed_at"),
    unsubscribedAt: ms("unsubscribed_at"),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.topicId] }), index("subscriptions_topic").on(t.topicId, t.status)],
);

export const events = sqliteTable(
  "events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    contactId: integer("contact_id").notNull(),
    type: text("type", { enum: ["track", "page", "screen", "group", "identify", "email", "system"] }).notNull(),
    name: text("name").notNull(),
    properties: json<Props>("properties").notNull().default({}),
    // revenue of an order event, so reports and RFM sum a column instead of parsing JSON
    value: real("value"),
    occurredAt: ms("occurred_at").notNull(),
    receivedAt: ms("received_at").notNull(),
    source: text("source").notNull(),
    messageId: text("message_id"),
    context: json<Props>("context"),
    // Engagement events (Email Opened, Email Clicked, ...) point at the email they are about, and say whether
    // a person or a machine (privacy proxy, link scanner) caused them.
    emailId: text("email_id"),
    flag: text("flag", { enum: ["human", "machine", "bot"] }),
  },
  (t) => [
    uniqueIndex("events_source_message").on(t.source, t.messageId),
    index("events_email").on(t.emailId, t.name),
    index("events_contact_time").on(t.contactId, t.occurredAt),
    index("events_name_contact_time").on(t.name, t.contactId, t.occurredAt),
    index("events_time").on(t.occurredAt),
  ],
);

export const products = sqliteTable("products", {
  id: text("id").primaryKey(), // the storefront's product_id
  sku: text("sku"),
  name: text("name"),
  price: real("price"),
  currency: text("currency"),
  url: text("url"),
  imageUrl: text("image_url"),
  category: text("category"),
  brand: text("brand"),
  properties: json<Props>("properties").notNull().default({}),
  updatedAt: ms("updated_at").notNull(),
});

export const templates = sqliteTable("templates", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  subject: text("subject").notNull(),
  preheader: text("preheader").notNull().default(""),
  fromName: text("from_name"),
  fromEmail: text("from_email"),
  replyTo: text("reply_to"),
  html: text("html").notNull(),
  text: text("text"),
  layout: text("layout").notNull().default("default"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const flows = sqliteTable("flows", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  status: text("status", { enum: ["draft", "live", "paused", "archived"] }).notNull().default("draft"),
  liveVersion: integer("live_version"),
  draft: json<Props>("draft").notNull(), // the definition being edited
  // event names the live version listens to (trigger, waits, goal): the ingest forwards only these
  eventNames: json<string[]>("event_names").notNull().default([]),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const flowVersions = sqliteTable(
  "flow_versions",
  {
    flowId: integer("flow_id").notNull(),
    version: integer("version").notNull(),
    definition: json<Props>("definition").notNull(),
    publishedAt: ms("published_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.version] })],
);

/** Mirror of the runs held by ContactJourney objects, for reporting and segment conditions. */
export const flowRuns = sqliteTable(
  "flow_runs",
  {
    id: text("id").primaryKey(),
    flowId: integer("flow_id").notNull(),
    version: integer("version").notNull(),
    contactId: integer("contact_id").notNull(),
    nodeId: text("node_id"),
    status: text("status", { enum: ["active", "waiting", "completed", "exited"] }).notNull(),
    exitReason: text("exit_reason"),
    holdout: integer("holdout", { mode: "boolean" }).notNull().default(false),
    enteredAt: ms("entered_at").notNull(),
    nextAt: ms("next_at"),
    exitedAt: ms("exited_at"),
  },
  (t) => [index("flow_runs_flow").on(t.flowId, t.status, t.nodeId), index("flow_runs_contact").on(t.contactId, t.flowId)],
);

/** How many runs entered each step (per-node counts on the flow canvas), written by the journeys in batches. */
export const flowNodeStats = sqliteTable(
  "flow_node_stats",
  {
    flowId: integer("flow_id").notNull(),
    nodeId: text("node_id").notNull(),
    entered: integer("entered").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.nodeId] })],
);

/** Members of a segment-triggered flow's segment at the last check: new members enter the flow. */
export const flowSegmentMembers = sqliteTable(
  "flow_segment_members",
  {
    flowId: integer("flow_id").notNull(),
    contactId: integer("contact_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.contactId] })],
);

export const segments = sqliteTable("segments", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  definition: json<Props>("definition").notNull(),
  prebuilt: text("prebuilt"), // key of a prebuilt segment, null when user-made
  size: integer("size"),
  countedAt: ms("counted_at"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const segmentSnapshots = sqliteTable(
  "segment_snapshots",
  {
    segmentId: integer("segment_id").notNull(),
    day: text("day").notNull(), // YYYY-MM-DD
    size: integer("size").notNull(),
  },
  (t) => [primaryKey({ columns: [t.segmentId, t.day] })],
);

export const campaigns = sqliteTable(
  "campaigns",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    status: text("status", {
      enum: ["draft", "scheduled", "testing", "sending", "paused", "sent", "cancelled"],
    })
      .notNull()
      .default("draft"),
    templateId: integer("template_id"),
    /** the topic the campaign is sent under: consent, List-Id and one-click unsubscribe refer to it */
    topicId: integer("topic_id"),
    audience: json<Props>("audience").notNull(), // segments and topics, with exclusions
    sender: json<Props>("sender"),
    /** when: now, at a UTC time, or at a local time in each contact's time zone */
    schedule: json<Props>("schedule"),
    /** fan-out and A/B progress (phase, cursors per time zone, winner) */
    state: json<Props>("state"),
    /** a resend to non-openers points at the campaign it follows up */
    parentId: integer("parent_id"),
    abTest: json<Props>("ab_test"),
    scheduleAt: ms("schedule_at"),
    localTime: integer("local_time", { mode: "boolean" }).notNull().default(false),
    maxPerHour: integer("max_per_hour"),
    cursor: integer("cursor"), // last contact id fanned out: a resumed send continues after it
    total: integer("total"),
    enqueued: integer("enqueued").notNull().default(0),
    startedAt: ms("started_at"),
    finishedAt: ms("finished_at"),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [index("campaigns_status").on(t.status, t.scheduleAt)],
);

/** Where an order's revenue went: the last email clicked (or opened) within the attribution window. */
export const attributions = sqliteTable(
  "attributions",
  {
    eventId: integer("event_id").primaryKey(), // the Order Completed event
    contactId: integer("contact_id").notNull(),
    emailId: text("email_id").notNull(),
    campaignId: integer("campaign_id"),
    flowId: integer("flow_id"),
    flowNodeId: text("flow_node_id"),
    variant: text("variant"),
    touch: text("touch", { enum: ["click", "open"] }).notNull(),
    value: real("value").notNull().default(0),
    occurredAt: ms("occurred_at").notNull(),
  },
  (t) => [index("attributions_campaign").on(t.campaignId, t.occurredAt), index("attributions_flow").on(t.flowId, t.occurredAt), index("attributions_time").on(t.occurredAt)],
);

/** One row per email send. The idempotency key makes queue retries harmless. */
export const messages = sqliteTable(
  "messages",
  {
    id: text("id").primaryKey(),
    idempotencyKey: text("idempotency_key").notNull(),
    contactId: integer("contact_id"),
    toEmail: text("to_email"), // cleared on erasure
    kind: text("kind", { enum: ["marketing", "transactional"] }).notNull(),
    templateId: integer("template_id"),
    campaignId: integer("campaign_id"),
    flowId: integer("flow_id"),
    flowNodeId: text("flow_node_id"),
    variant: text("variant"),
    topicId: integer("topic_id"),
    subject: text("subject"),
    status: text("status", {
      enum: ["queued", "sending", "sent", "delivered", "bounced", "complained", "failed", "suppressed", "cancelled"],
    }).notNull(),
    data: json<Props>("data"), // the triggering event's properties or the transactional payload
    trackOpens: integer("track_opens", { mode: "boolean" }).notNull().default(true),
    trackClicks: integer("track_clicks", { mode: "boolean" }).notNull().default(true),
    claimedAt: ms("claimed_at"),
    provider: text("provider"),
    providerMessageId: text("provider_message_id"),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    queuedAt: ms("queued_at").notNull(),
    sentAt: ms("sent_at"),
    deliveredAt: ms("delivered_at"),
    openedAt: ms("opened_at"), // first human open
    clickedAt: ms("clicked_at"), // first human click
    machineOpenedAt: ms("machine_opened_at"),
    bouncedAt: ms("bounced_at"),
    unsubscribedAt: ms("unsubscribed_at"),
    complainedAt: ms("complained_at"),
  },
  (t) => [
    uniqueIndex("messages_idempotency").on(t.idempotencyKey),
    index("messages_contact").on(t.contactId, t.queuedAt),
    index("messages_campaign").on(t.campaignId, t.status),
    index("messages_flow").on(t.flowId, t.flowNodeId),
    index("messages_provider_id").on(t.providerMessageId),
  ],
);

/** What the outbox provider "sent": the full MIME and rendered parts, viewable in the admin UI. */
export const outbox = sqliteTable("outbox", {
  messageId: text("message_id").primaryKey(),
  toEmail: text("to_email").notNull(),
  subject: text("subject").notNull(),
  raw: text("raw").notNull(),
  html: text("html"),
  text: text("text"),
  createdAt: ms("created_at").notNull(),
});

/** Addresses never to be mailed, keyed by SHA-256 of the lower-cased address. */
export const suppressions = sqliteTable(
  "suppressions",
  {
    emailHash: text("email_hash").primaryKey(),
    email: text("email"), // null after erasure: only the hash remains
    reason: text("reason", {
      enum: ["unsubscribed", "hard_bounce", "soft_bounce", "complaint", "erased", "manual"],
    }).notNull(),
    detail: text("detail"),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [index("suppressions_created").on(t.createdAt)],
);

export const forms = sqliteTable("forms", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  definition: json<Props>("definition").notNull(),
  status: text("status", { enum: ["active", "disabled"] }).notNull().default("active"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  email: text("email").notNull().unique(),
  name: text("name").notNull().default(""),
  passwordHash: text("password_hash").notNull(),
  role: text("role", { enum: ["owner", "admin"] }).notNull().default("admin"),
  createdAt: ms("created_at").notNull(),
  passwordChangedAt: ms("password_changed_at").notNull(),
});

/** Browser sessions; only the SHA-256 of the cookie value is stored. */
export const sessions = sqliteTable(
  "sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: integer("user_id").notNull(),
    csrfToken: text("csrf_token").notNull(),
    createdAt: ms("created_at").notNull(),
    expiresAt: ms("expires_at").notNull(),
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user").on(t.userId), index("sessions_expires").on(t.expiresAt)],
);

/** Keys for the admin API (Authorization: Bearer); shown once, stored as SHA-256. */
export const apiKeys = sqliteTable("api_keys", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  keyHash: text("key_hash").notNull().unique(),
  prefix: text("prefix").notNull(),
  createdBy: integer("created_by"),
  createdAt: ms("created_at").notNull(),
  lastUsedAt: ms("last_used_at"),
});

/** Keys that storefronts use to send events to /v1/*; the source names where events came from. */
export const writeKeys = sqliteTable("write_keys", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  source: text("source").notNull(),
  keyHash: text("key_hash").notNull().unique(),
  prefix: text("prefix").notNull(),
  createdAt: ms("created_at").notNull(),
  lastUsedAt: ms("last_used_at"),
});

export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: json<unknown>("value").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

/** CSV contact imports: progress the UI polls, and the first rejected rows with reasons. */
export const imports = sqliteTable("imports", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  filename: text("filename").notNull(),
  status: text("status", { enum: ["waiting", "running", "done", "failed"] }).notNull(),
  options: json<Props>("options").notNull().default({}),
  bytesTotal: integer("bytes_total"),
  bytesRead: integer("bytes_read").notNull().default(0),
  rowsProcessed: integer("rows_processed").notNull().default(0),
  rowsImported: integer("rows_imported").notNull().default(0),
  rowsRejected: integer("rows_rejected").notNull().default(0),
  rejects: json<{ row: number; reason: string; email?: string }[]>("rejects").notNull().default([]),
  error: text("error"),
  createdBy: integer("created_by"),
  createdAt: ms("created_at").notNull(),
  finishedAt: ms("finished_at"),
});

/** Fixed-window counters behind login and public-form rate limits. */
export const rateLimits = sqliteTable(
  "rate_limits",
  {
    key: text("key").notNull(),
    window: integer("window").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.window] }), index("rate_limits_window").on(t.window)],
);

export const deadLetters = sqliteTable("dead_letters", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  queue: text("queue").notNull(),
  body: json<unknown>("body").notNull(),
  error: text("error"),
  createdAt: ms("created_at").notNull(),
});

export type Contact = typeof contacts.$inferSelect;
export type Topic = typeof topics.$inferSelect;
export type Subscription = typeof subscriptions.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type ImportRow = typeof imports.$inferSelect;
