/** Shapes of the admin API's responses (mirroring worker/store/*), as the UI uses them. */
import type { Group as SegmentGroup } from "../../worker/core/segment";

export interface User {
  id: number;
  email: string;
  name: string;
  role: "owner" | "admin";
}

export interface Session {
  user: User;
  csrfToken: string;
}

export type ContactStatus = "active" | "unsubscribed" | "bounced" | "complained";

export interface ContactSummary {
  id: number;
  email: string | null;
  externalId: string | null;
  firstName: string | null;
  lastName: string | null;
  status: ContactStatus;
  source: string;
  timezone: string | null;
  orderCount: number;
  revenue: number;
  createdAt: number;
}

export interface ContactList {
  items: ContactSummary[];
  nextCursor: string | null;
  total?: number;
}

export interface Subscription {
  topicId: number;
  key: string;
  name: string;
  kind: "marketing" | "transactional";
  status: "pending" | "subscribed" | "unsubscribed";
  source: string;
  ip: string | null;
  pageUrl: string | null;
  consentText: string | null;
  consentVersion: string | null;
  subscribedAt: number | null;
  confirmedAt: number | null;
  unsubscribedAt: number | null;
}

export interface Contact extends ContactSummary {
  phone: string | null;
  locale: string | null;
  country: string | null;
  birthday: string | null;
  properties: Record<string, unknown>;
  firstOrderAt: number | null;
  lastOrderAt: number | null;
  lastOpenedAt: number | null;
  lastClickedAt: number | null;
  updatedAt: number;
  subscriptions: Subscription[];
  aliases: { alias: string; kind: "anonymous" | "user"; createdAt: number }[];
  stats: { events: number; lastEventAt: number | null };
}

export interface TimelineEvent {
  id: number;
  type: "track" | "page" | "screen" | "group" | "identify" | "email" | "system";
  name: string;
  properties: Record<string, unknown>;
  value: number | null;
  occurredAt: number;
  source: string;
  context: Record<string, unknown> | null;
}

export interface Topic {
  id: number;
  key: string;
  name: string;
  description: string;
  kind: "marketing" | "transactional";
  doubleOptIn: boolean;
  createdAt: number;
  subscribers: number;
}

export interface Settings {
  store: {
    name: string;
    address: string;
    website: string;
    logoUrl: string;
    brandColor: string;
    timezone: string;
    currency: string;
  };
  sender: { fromName: string; fromEmail: string; replyTo: string };
  sending: SendingSettings;
}

export interface WriteKey {
  id: number;
  name: string;
  source: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  /** only in the response that created it */
  key?: string;
}

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  createdAt: number;
  lastUsedAt?: number | null;
  key?: string;
}

export interface ImportReject {
  row: number;
  reason: string;
  email?: string;
  values?: Record<string, string>;
}

export interface ImportJob {
  id: number;
  filename: string;
  status: "waiting" | "running" | "done" | "failed";
  bytesTotal: number | null;
  bytesRead: number;
  rowsProcessed: number;
  rowsImported: number;
  rowsRejected: number;
  rejects?: ImportReject[];
  error: string | null;
  createdAt: number;
  finishedAt: number | null;
}

// ---- sending ---------------------------------------------------------------------------------------------

export type ProviderName = "outbox" | "smtp" | "resend" | "postmark" | "ses" | "sendgrid" | "mailgun" | "cloudflare";

export interface SendingSettings {
  /** empty: the EMAIL_PROVIDER variable decides */
  provider: "" | ProviderName;
  publicUrl: string;
  ratePerSecond: number;
  frequencyCap: number;
  frequencyDays: number;
  quietStart: string;
  quietEnd: string;
  quietHours: boolean;
  trackOpens: boolean;
  trackClicks: boolean;
  utm: boolean;
  utmSource: string;
  utmMedium: string;
  softBounceLimit: number;
  smtp: { host: string; port: number; security: "starttls" | "tls" | "none"; username: string };
  sesRegion: string;
  mailgunDomain: string;
  mailgunRegion: "us" | "eu";
  apiBaseUrl: string;
}

export interface SendingStatus {
  provider: ProviderName;
  /** secret name → whether it is set (values are never returned) */
  secrets: Record<string, boolean>;
  tokenSecret: boolean;
  publicUrl: string;
}

export interface TemplateSummary {
  id: number;
  name: string;
  subject: string;
  fromEmail: string | null;
  updatedAt: number;
  createdAt: number;
}

export interface Template extends TemplateSummary {
  preheader: string;
  fromName: string | null;
  replyTo: string | null;
  html: string;
  text: string | null;
  layout: "default" | "none";
}

export interface RenderedEmail {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

export type MessageStatus = "queued" | "sending" | "sent" | "delivered" | "bounced" | "complained" | "failed" | "suppressed" | "cancelled";

export interface OutboxItem {
  id: string;
  toEmail: string;
  subject: string;
  createdAt: number;
  kind: "marketing" | "transactional" | null;
  status: MessageStatus | null;
  campaignId: number | null;
  flowId: number | null;
  templateId: number | null;
  contactId: number | null;
  openedAt: number | null;
  clickedAt: number | null;
}

export interface OutboxMessage {
  id: string;
  toEmail: string;
  subject: string;
  raw: string;
  text: string | null;
  createdAt: number;
  headers: [string, string][];
}

export interface ReportCounts {
  group: string | number | null;
  queued: number;
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
  failed: number;
  suppressed: number;
  opened: number;
  machineOpened: number;
  clicked: number;
  botClicked: number;
  unsubscribed: number;
}

export interface ReportRates {
  open: number;
  machineOpen: number;
  click: number;
  clickToOpen: number;
  bounce: number;
  unsubscribe: number;
  complaint: number;
}

export interface MessageReport {
  groups: (ReportCounts & { rates: ReportRates })[];
  links: { url: string; clicks: number; people: number; botClicks: number }[];
}

export interface DeadLetter {
  id: number;
  queue: string;
  body: string;
  error: string | null;
  createdAt: number;
  messageId: string | null;
  toEmail: string | null;
  subject: string | null;
  lastError: string | null;
}

export type SuppressionReason = "unsubscribed" | "hard_bounce" | "soft_bounce" | "complaint" | "erased" | "manual";

export interface Suppression {
  emailHash: string;
  email: string | null;
  reason: SuppressionReason;
  detail: string | null;
  createdAt: number;
  contactId: number | null;
  contactStatus: ContactStatus | null;
}

// ---- segments --------------------------------------------------------------------------------------------

/** The definition format is core/segment's own type, shared with the Worker (types only: no zod in the bundle). */
export type { Comparison, Group as SegmentGroup, Leaf as SegmentLeaf } from "../../worker/core/segment";

export interface Segment {
  id: number;
  name: string;
  description: string;
  definition: SegmentGroup;
  /** key of a prebuilt segment; null when made by someone */
  prebuilt: string | null;
  /** from the last daily count; null until the first one */
  size: number | null;
  countedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface SegmentPreviewContact {
  id: number;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  status: ContactStatus;
  orderCount: number;
  revenue: number;
  createdAt: number;
}

export interface SegmentDetail extends Segment {
  /** counted now */
  size: number;
  preview: SegmentPreviewContact[];
  /** daily sizes, oldest first; `day` is YYYY-MM-DD */
  history: { day: string; size: number }[];
}

export interface FlowSummary {
  id: number;
  name: string;
  status: "draft" | "live" | "paused" | "archived";
}

// ---- flows -----------------------------------------------------------------------------------------------

/** The flow definition is core/flow's own type, shared with the Worker (types only: no zod in the bundle). */
export type { Check as FlowCheck, Duration, EventFilter, FlowDefinition, FlowNode, Trigger as FlowTrigger } from "../../worker/core/flow";
export type { SimulationResult, TimelineEntry as SimulationEntry } from "../../worker/core/flow-simulate";

export interface FlowListItem extends FlowSummary {
  liveVersion: number | null;
  createdAt: number;
  updatedAt: number;
  entered: number;
  inFlow: number;
  sent: number;
  revenue: number;
}

/** What happened at one step of a published flow (all versions). */
export interface NodeFigures {
  entered: number;
  /** runs there now, waiting or about to move on */
  waiting: number;
  /** runs that ended there (an exit step, the goal, unsubscribing) */
  exited: number;
  sent: number;
  opened: number;
  clicked: number;
  conversions: number;
  revenue: number;
}

export interface FlowDetail extends FlowSummary {
  liveVersion: number | null;
  draft: import("../../worker/core/flow").FlowDefinition;
  createdAt: number;
  updatedAt: number;
  /** graph problems of the draft, as sentences naming the steps; publishing needs none */
  problems: string[];
  versions?: { version: number; publishedAt: number }[];
  figures?: Record<string, NodeFigures>;
}

export interface PrebuiltFlowCard {
  key: string;
  name: string;
  description: string;
  trigger: string;
  emails: { name: string; subject: string; when: string }[];
  creates: { topics: string[]; segment: string | null };
}

// ---- dashboard -------------------------------------------------------------------------------------------

export interface DashboardDay {
  /** YYYY-MM-DD, a UTC day */
  day: string;
  contacts: number;
  newContacts: number;
  subscribers: number;
  subscribed: number;
  unsubscribed: number;
  sent: number;
  opened: number;
  clicked: number;
  revenueCampaigns: number;
  revenueFlows: number;
}

export type Level = "ok" | "warn" | "alarm";

export interface Performer {
  id: number;
  name: string;
  sent: number;
  opened: number;
  clicked: number;
  revenue: number;
}

export interface DashboardStats {
  days: number;
  series: DashboardDay[];
  totals: { contacts: number; subscribers: number; newContacts: number };
  email: {
    sent: number;
    opened: number;
    machineOpened: number;
    clicked: number;
    bounced: number;
    complained: number;
    unsubscribed: number;
    /** percentages (2 decimals) of delivered, bounces of sent */
    openRate: number;
    machineOpenRate: number;
    clickRate: number;
    unsubscribeRate: number;
    bounceRate: number;
    complaintRate: number;
  };
  deliverability: Record<"complaints" | "bounces", { rate: number; level: Level; warnAt: number; alarmAt: number }>;
  revenue: { total: number; orders: number; campaigns: number; flows: number; conversions: number };
  topCampaigns: Performer[];
  topFlows: Performer[];
}
