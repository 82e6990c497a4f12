/** Shapes of the admin API's responses (mirroring worker/store/*), as the UI uses them. */

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

export interface Overview {
  days: number;
  contacts: number;
  subscribers: number;
  newContacts: number;
  events: number;
  activeContacts: number;
  orders: number;
  revenue: number;
  newContactsByDay: { day: number; n: number }[];
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
