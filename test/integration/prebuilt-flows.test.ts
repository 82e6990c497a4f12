import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { PREBUILT_FLOWS } from "../../worker/core/prebuilt-flows";
import { admin, call, json, track, writeKey, type Admin, until } from "./helpers";
import { fastForward, listRuns } from "./journeys";

let a: Admin;

beforeAll(async () => {
  a = await admin();
  await a.fetch("/api/settings", {
    method: "PATCH",
    json: { store: { name: "Juniper & Pine", website: "https://juniper.example.com" }, sender: { fromEmail: "shop@example.com" }, sending: { publicUrl: "https://tern.example.com" } },
  });
});

const install = (key: string) => a.fetch(`/api/flows/prebuilt/${key}`, { method: "POST" });

describe("GET /api/flows/prebuilt", () => {
  it("lists the catalog with triggers and emails", async () => {
    const res = await a.fetch("/api/flows/prebuilt");
    expect(res.status).toBe(200);
    const { items } = await json(res);
    expect(items.map((i: any) => i.key)).toEqual(PREBUILT_FLOWS.map((f) => f.key));
    expect(items[0]).toMatchObject({ name: "Welcome series", trigger: expect.any(String), description: expect.any(String) });
    expect(items[0].emails).toHaveLength(3);
    expect(items[0].emails[0]).toEqual({ name: expect.any(String), subject: expect.any(String), when: "at once" });
  });

  it("refuses anonymous callers", async () => {
    expect((await call("/api/flows/prebuilt")).status).toBe(401);
    expect((await call("/api/flows/prebuilt/welcome_series", { method: "POST" })).status).toBe(401);
  });
});

describe("POST /api/flows/prebuilt/:key", () => {
  for (const entry of PREBUILT_FLOWS) {
    it(`${entry.key}: creates a draft with its own templates that publishes cleanly`, async () => {
      const res = await install(entry.key);
      expect(res.status).toBe(201);
      const flow = await json(res);
      expect(flow).toMatchObject({ name: entry.name, status: "draft", liveVersion: null, problems: [] });
      expect(flow.templates).toHaveLength(entry.emails.length);
      const sendIds = Object.values(flow.draft.nodes as Record<string, any>).filter((n) => n.type === "send").map((n) => n.templateId);
      expect(sendIds.sort()).toEqual(flow.templates.map((t: any) => t.id).sort());
      for (const t of flow.templates) {
        const saved = await json(await a.fetch(`/api/templates/${t.id}`));
        expect(saved.name).toBe(t.name);
        expect(saved.name.startsWith(`${entry.name} · `)).toBe(true);
        // the saved copy passes the template API's own validation
        const patch = await a.fetch(`/api/templates/${t.id}`, { method: "PATCH", json: { html: saved.html } });
        expect(patch.status).toBe(200);
      }
      expect(Object.keys(flow.draft.layout).sort()).toEqual(Object.keys(flow.draft.nodes).sort());
      const pub = await a.fetch(`/api/flows/${flow.id}/publish`, { method: "POST" });
      expect(pub.status, JSON.stringify(await pub.clone().json())).toBe(200);
      expect(await json(pub)).toMatchObject({ status: "live", liveVersion: 1 });
    });
  }

  it("twice: two separate drafts with their own templates, names suffixed; the segment and topics are reused", async () => {
    const first = await json(await install("win_back"));
    const second = await json(await install("win_back"));
    expect(second.id).not.toBe(first.id);
    expect(first.name).toBe("Win-back (2)"); // the loop above installed the first one
    expect(second.name).toBe("Win-back (3)");
    expect(second.status).toBe("draft");
    expect(second.templates.map((t: any) => t.id)).not.toEqual(first.templates.map((t: any) => t.id));
    expect(second.templates[0].name).toMatch(/^Win-back \(3\) · /);
    expect(second.segmentId).toBe(first.segmentId);
    expect(second.draft.trigger).toEqual({ type: "segment", segmentId: first.segmentId });
    const segments = await env.DB.prepare("SELECT name, prebuilt FROM segments WHERE prebuilt IN ('no_order_90', 'unengaged_120') ORDER BY prebuilt").all();
    expect(segments.results).toEqual([{ name: "No order in 90 days", prebuilt: "no_order_90" }, { name: "Unengaged (120 days)", prebuilt: "unengaged_120" }]);
    const topics = await env.DB.prepare("SELECT key, kind, double_opt_in AS doi FROM topics WHERE key IN ('newsletter', 'guides') ORDER BY key").all();
    expect(topics.results).toEqual([{ key: "guides", kind: "marketing", doi: 1 }, { key: "newsletter", kind: "marketing", doi: 1 }]);
    const sunset = await json(await install("sunset"));
    expect(sunset.draft.nodes.unsubscribe.topics).toEqual({ guides: "unsubscribed", newsletter: "unsubscribed" });
    expect(sunset.warnings).toEqual(expect.arrayContaining([expect.stringContaining("only those who join it afterwards")]));
  });

  it("keeps a topic the owner already has as it is", async () => {
    await env.DB.prepare("DELETE FROM topics WHERE key = 'guides'").run();
    const made = await json(await a.fetch("/api/topics", { method: "POST", json: { key: "guides", name: "Our guides", doubleOptIn: false } }));
    const flow = await json(await install("lead_nurture"));
    expect(flow.draft.nodes.guide.topicId).toBe(made.id);
    const topic = await env.DB.prepare("SELECT name, double_opt_in AS doi FROM topics WHERE key = 'guides'").first();
    expect(topic).toEqual({ name: "Our guides", doi: 0 });
  });

  it("answers 404 for an unknown key, and never creates anything for it", async () => {
    const before = (await env.DB.prepare("SELECT (SELECT count(*) FROM flows) + (SELECT count(*) FROM templates) AS n").first<{ n: number }>())!.n;
    for (const key of ["nope", "__proto__", "constructor", "welcome_series%00", "' OR 1=1 --"]) {
      const res = await install(encodeURIComponent(key));
      expect(res.status, key).toBe(404);
      expect((await json(res)).error.code).toBe("not_found");
    }
    const after = (await env.DB.prepare("SELECT (SELECT count(*) FROM flows) + (SELECT count(*) FROM templates) AS n").first<{ n: number }>())!.n;
    expect(after).toBe(before);
  });

  it("warns when the store has no website for the buttons to link to", async () => {
    await a.fetch("/api/settings", { method: "PATCH", json: { store: { website: "" } } });
    const flow = await json(await install("birthday"));
    expect(flow.warnings).toEqual(expect.arrayContaining([expect.stringContaining("website")]));
    await a.fetch("/api/settings", { method: "PATCH", json: { store: { website: "https://juniper.example.com" } } });
  });
});

// ---- the installed abandoned cart, end to end ----------------------------------------------------------

describe("the prebuilt abandoned cart, enabled", () => {
  it("sends the cart reminder with the cart's products at the due time, and an order ends the run", async () => {
    const key = await writeKey(a);
    const flow = await json(await install("abandoned_cart"));
    expect((await a.fetch(`/api/flows/${flow.id}/publish`, { method: "POST" })).status).toBe(200);
    const cart = PREBUILT_FLOWS.find((f) => f.key === "abandoned_cart")!.sample;
    await track(key, "track", { userId: "pb-cart", event: "Checkout Started", properties: cart, context: { traits: { email: "pb-cart@example.com", first_name: "Ada" } } });
    const contact = (await env.DB.prepare("SELECT id FROM contacts WHERE external_id = 'pb-cart'").first<{ id: number }>())!.id;
    const [run] = await until(async () => {
      const runs = (await listRuns(contact)).filter((r) => r.flowId === flow.id);
      return runs.length ? runs : null;
    });
    expect(run).toMatchObject({ status: "waiting", nodeId: "wait_1h" });
    expect(run!.wakeAt! - run!.enteredAt).toBe(3_600_000);

    await fastForward(contact);
    const message = await until(() => env.DB.prepare("SELECT id, template_id AS templateId FROM messages WHERE flow_id = ? AND contact_id = ?").bind(flow.id, contact).first<{ id: string; templateId: number }>());
    expect(message.templateId).toBe(flow.draft.nodes.reminder.templateId);
    const sent = await until(() => env.DB.prepare("SELECT subject, html FROM outbox WHERE message_id = ?").bind(message.id).first<{ subject: string; html: string }>());
    expect(sent.subject).toBe("Ada, you left something in your cart");
    expect(sent.html).toContain("Stoneware mug");
    expect(sent.html).toContain("Total $70.00");
    expect(sent.html).not.toMatch(/NaN|\{\{|\{%/);

    await track(key, "track", { userId: "pb-cart", event: "Order Completed", properties: { order_id: "1042", total: 70, checkout_id: "chk_1001" } });
    const exited = await until(async () => (await listRuns(contact)).find((r) => r.flowId === flow.id && r.status === "exited"));
    expect(exited.exitReason).toBe("goal: Order Completed");
  });
});
