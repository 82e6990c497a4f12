import { describe, expect, it } from "vitest";
import { planIdentities, type KnownContact, type Lookups } from "../../worker/core/identity";
import type { IngestMessage } from "../../worker/core/ingest";

const msg = (m: Partial<IngestMessage>): IngestMessage => ({
  type: "track", name: "E", userId: null, anonymousId: null, previousId: null, email: null, fields: {}, traits: {}, properties: {},
  context: null, occurredAt: 0, messageId: null, value: null, products: [], ...m,
});

function lookups(contacts: (KnownContact & { aliases?: string[] })[]): Lookups {
  const l: Lookups = { byExternal: new Map(), byEmail: new Map(), byAlias: new Map() };
  for (const c of contacts) {
    if (c.externalId) l.byExternal.set(c.externalId, c);
    if (c.email) l.byEmail.set(c.email, c);
    for (const a of c.aliases ?? []) l.byAlias.set(a, c);
  }
  return l;
}

const REVENUE = ["Order Completed"];

describe("planIdentities", () => {
  it("finds contacts by user id, then email, then anonymous id", () => {
    const l = lookups([{ id: 1, email: "a@x.co", externalId: "u1" }, { id: 2, email: "b@x.co", externalId: null, aliases: ["anon-b"] }]);
    const plan = planIdentities([msg({ userId: "u1" }), msg({ email: "b@x.co", anonymousId: "z" }), msg({ anonymousId: "anon-b" })], l, REVENUE);
    expect(plan.owners.map((c) => c.id)).toEqual([1, 2, 2]);
    expect(plan.owners[1]!.aliases.get("z")).toBe("anonymous");
  });

  it("creates one new contact per unknown person, reused within the batch", () => {
    const plan = planIdentities([msg({ userId: "n1", email: "n@x.co" }), msg({ userId: "n1" }), msg({ email: "n@x.co" })], lookups([]), REVENUE);
    expect(plan.contacts).toHaveLength(1);
    expect(new Set(plan.owners).size).toBe(1);
    expect(plan.contacts[0]).toMatchObject({ id: null, externalId: "n1", email: "n@x.co" });
  });

  it("upgrades a stored anonymous contact in place when it identifies", () => {
    const plan = planIdentities([msg({ type: "identify", name: null, anonymousId: "a1", userId: "u9", email: "new@x.co" })], lookups([{ id: 5, email: null, externalId: null, aliases: ["a1"] }]), REVENUE);
    expect(plan.owners[0]).toMatchObject({ id: 5, externalId: "u9", email: "new@x.co", identityChanged: true });
  });

  it("merges a stored anonymous contact into the known one", () => {
    const plan = planIdentities(
      [msg({ type: "identify", name: null, anonymousId: "a1", email: "k@x.co" })],
      lookups([{ id: 5, email: null, externalId: null, aliases: ["a1"] }, { id: 7, email: "k@x.co", externalId: null }]),
      REVENUE,
    );
    expect(plan.owners[0]!.id).toBe(7);
    expect(plan.owners[0]!.absorbs).toEqual([5]);
    expect(plan.owners[0]!.touchesRevenue).toBe(true);
    expect(plan.contacts.map((c) => c.id)).toEqual([7]);
  });

  it("merges a batch-new anonymous contact without creating it", () => {
    const plan = planIdentities(
      [msg({ anonymousId: "a2", name: "Product Viewed" }), msg({ type: "identify", name: null, anonymousId: "a2", userId: "u1" })],
      lookups([{ id: 1, email: "a@x.co", externalId: "u1" }]),
      REVENUE,
    );
    expect(plan.contacts.map((c) => c.id)).toEqual([1]);
    expect(plan.owners.map((c) => c.id)).toEqual([1, 1]);
    expect(plan.owners[0]!.aliases.get("a2")).toBe("anonymous");
  });

  it("never merges two known contacts; a claimed email stays with its owner", () => {
    const l = lookups([{ id: 1, email: "a@x.co", externalId: "u1", aliases: ["dev"] }, { id: 2, email: "b@x.co", externalId: "u2" }]);
    const plan = planIdentities([msg({ userId: "u2", anonymousId: "dev", email: "a@x.co" })], l, REVENUE);
    expect(plan.owners[0]!.id).toBe(2);
    expect(plan.owners[0]!.email).toBe("b@x.co");
    expect(plan.owners[0]!.absorbs).toEqual([]);
    expect(plan.owners[0]!.aliases.get("dev")).toBe("anonymous"); // the device now belongs to u2
  });

  it("does not attach a user id to an email owned by another user id", () => {
    const plan = planIdentities([msg({ userId: "u-new", email: "a@x.co" })], lookups([{ id: 1, email: "a@x.co", externalId: "u-old" }]), REVENUE);
    expect(plan.owners[0]).toMatchObject({ id: null, externalId: "u-new", email: null });
  });

  it("alias moves an old user id to the new one", () => {
    const plan = planIdentities([msg({ type: "alias", name: null, previousId: "old", userId: "new" })], lookups([{ id: 3, email: "c@x.co", externalId: "old" }]), REVENUE);
    expect(plan.owners[0]).toMatchObject({ id: 3, externalId: "new" });
    expect(plan.owners[0]!.aliases.get("old")).toBe("user");
  });

  it("collects traits, later messages winning, and flags revenue events", () => {
    const plan = planIdentities(
      [msg({ userId: "u", fields: { firstName: "A" }, traits: { a: 1 } }), msg({ userId: "u", fields: { firstName: "B" }, traits: { b: 2 }, name: "Order Completed" })],
      lookups([]),
      REVENUE,
    );
    expect(plan.contacts[0]).toMatchObject({ fields: { firstName: "B" }, properties: { a: 1, b: 2 }, touchesRevenue: true });
  });
});
