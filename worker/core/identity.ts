/**
 * Identity resolution for a batch of ingested messages: which contact each message belongs to, which contacts
 * are new, which identities change and which anonymous contacts merge into known ones. Pure: the lookups of
 * existing contacts are passed in, the plan comes out, and the store applies it.
 */
import type { ContactFields } from "./contact";
import type { IngestMessage } from "./ingest";

export interface KnownContact {
  id: number;
  email: string | null;
  externalId: string | null;
}

export interface Lookups {
  byExternal: Map<string, KnownContact>;
  byEmail: Map<string, KnownContact>;
  byAlias: Map<string, KnownContact>;
}

/** A contact the batch touches; `id` is null for a contact the batch creates. */
export interface PlannedContact {
  id: number | null;
  email: string | null;
  externalId: string | null;
  /** identity columns differ from what is stored */
  identityChanged: boolean;
  fields: ContactFields;
  properties: Record<string, unknown>;
  aliases: Map<string, "anonymous" | "user">;
  /** stored anonymous contacts whose history moves into this one */
  absorbs: number[];
  mergedInto: PlannedContact | null;
  touchesRevenue: boolean;
}

export interface IdentityPlan {
  contacts: PlannedContact[];
  /** per message: the contact it belongs to (after merges) */
  owners: PlannedContact[];
}

const isAnonymous = (c: { email: string | null; externalId: string | null }) => !c.email && !c.externalId;

export function planIdentities(messages: IngestMessage[], lookups: Lookups, revenueEvents: readonly string[]): IdentityPlan {
  const contacts: PlannedContact[] = [];
  const planned = new Map<number, PlannedContact>(); // stored id -> plan
  const byExternal = new Map<string, PlannedContact>();
  const byEmail = new Map<string, PlannedContact>();
  const byAlias = new Map<string, PlannedContact>();

  const root = (c: PlannedContact): PlannedContact => (c.mergedInto ? root(c.mergedInto) : c);
  const fresh = (known: KnownContact | null): PlannedContact => {
    const c: PlannedContact = {
      id: known?.id ?? null,
      email: known?.email ?? null,
      externalId: known?.externalId ?? null,
      identityChanged: false,
      fields: {},
      properties: {},
      aliases: new Map(),
      absorbs: [],
      mergedInto: null,
      touchesRevenue: false,
    };
    contacts.push(c);
    if (known) planned.set(known.id, c);
    return c;
  };
  const fromKnown = (known: KnownContact | undefined): PlannedContact | undefined =>
    known ? (planned.get(known.id) ?? fresh(known)) : undefined;
  const findExternal = (key: string) => {
    const c = byExternal.get(key) ?? fromKnown(lookups.byExternal.get(key));
    return c && root(c);
  };
  const findEmail = (key: string) => {
    const c = byEmail.get(key) ?? fromKnown(lookups.byEmail.get(key));
    return c && root(c);
  };
  const findAlias = (key: string) => {
    const c = byAlias.get(key) ?? fromKnown(lookups.byAlias.get(key));
    return c && root(c);
  };

  /** Moves an anonymous contact's history, aliases and traits into `target`. */
  const merge = (from: PlannedContact, target: PlannedContact) => {
    from.mergedInto = target;
    if (from.id !== null) target.absorbs.push(from.id);
    target.absorbs.push(...from.absorbs);
    from.absorbs = [];
    for (const [alias, kind] of from.aliases) target.aliases.set(alias, kind);
    target.fields = { ...from.fields, ...target.fields };
    target.properties = { ...from.properties, ...target.properties };
    target.touchesRevenue ||= from.touchesRevenue || from.id !== null;
  };

  const setExternal = (c: PlannedContact, userId: string) => {
    if (c.externalId === userId) return;
    if (c.externalId) byExternal.delete(c.externalId);
    c.externalId = userId;
    c.identityChanged = c.id !== null;
    byExternal.set(userId, c);
  };

  const owners = messages.map((m) => {
    let c = m.userId ? findExternal(m.userId) : undefined;
    const viaEmail = m.email ? findEmail(m.email) : undefined;
    // An email match is the same person unless it already belongs to a different user id.
    if (!c && viaEmail && (!m.userId || !viaEmail.externalId)) c = viaEmail;

    const anon = m.anonymousId ? findAlias(m.anonymousId) : undefined;
    // alias(previousId -> userId): the previous identity is either an anonymous id or an old user id.
    const previous = m.type === "alias" && m.previousId ? (findExternal(m.previousId) ?? findAlias(m.previousId)) : undefined;

    for (const other of [anon, previous]) {
      if (!other || other === c) continue;
      if (!c && (isAnonymous(other) || !m.userId || !other.externalId || other === previous)) {
        c = other; // the visitor becomes known: upgrade in place
      } else if (c && isAnonymous(other)) {
        merge(other, c);
      }
      // Two known contacts are never merged automatically; the alias simply moves to the newer identity.
    }
    c ??= fresh(null);

    if (m.userId) setExternal(c, m.userId);
    if (m.email && c.email !== m.email && !findEmail(m.email)) {
      if (c.email) byEmail.delete(c.email);
      c.email = m.email;
      c.identityChanged = c.id !== null;
      byEmail.set(m.email, c);
    }
    if (m.anonymousId && findAlias(m.anonymousId) !== c) {
      c.aliases.set(m.anonymousId, "anonymous");
      byAlias.set(m.anonymousId, c);
    }
    if (m.type === "alias" && m.previousId && m.previousId !== c.externalId) {
      c.aliases.set(m.previousId, "user");
      byAlias.set(m.previousId, c);
    }
    const { email: _email, ...fields } = m.fields;
    Object.assign(c.fields, fields);
    Object.assign(c.properties, m.traits);
    if (m.name && revenueEvents.includes(m.name)) c.touchesRevenue = true;
    return c;
  });

  return { contacts: contacts.filter((c) => !c.mergedInto), owners: owners.map(root) };
}
