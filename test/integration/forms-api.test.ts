/** /api/forms: validation, embed snippets, figures, updates, disable and delete. */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { admin, call, json, type Admin } from "./helpers";
import { confirmationEmail, confirmPath, contactByEmail, createForm, postJson, SHOP, subscriptionsOf } from "./forms-helpers";

let a: Admin;

beforeAll(async () => {
  a = await admin();
  await a.fetch("/api/settings", { method: "PATCH", json: { sender: { fromEmail: "hello@juniper.example" }, sending: { publicUrl: "https://tern.example.com", ratePerSecond: 1000 } } });
  await a.fetch("/api/topics", { method: "POST", json: { key: "news", name: "News" } });
  await a.fetch("/api/topics", { method: "POST", json: { key: "offers", name: "Offers" } });
});

const invalid = async (body: unknown) => {
  const res = await a.fetch("/api/forms", { method: "POST", json: body });
  expect(res.status).toBe(400);
  return (await json(res)).error.issues.map((i: any) => i.path);
};

describe("creating forms", () => {
  it("validates the definition and names the failing field", async () => {
    expect(await invalid({ topics: [{ key: "news" }] })).toEqual(["name"]);
    expect(await invalid({ name: "F" })).toContain("topics");
    expect(await invalid({ name: "F", topics: [{ key: "nope" }] })).toEqual(["topics.0.key"]);
    expect(await invalid({ name: "F", topics: [{ key: "news" }, { key: "news" }] })).toEqual(["topics"]);
    expect(await invalid({ name: "F", topics: [{ key: "news" }], allowedOrigins: ["https://shop.example/page", "ftp://x.example", "http://shop.example"] })).toEqual([
      "allowedOrigins.0", "allowedOrigins.1", "allowedOrigins.2",
    ]);
    expect(await invalid({ name: "F", topics: [{ key: "news" }], redirectUrl: "http://shop.example/thanks" })).toEqual(["redirectUrl"]);
    expect(await invalid({ name: "F", topics: [{ key: "news" }], redirectUrl: "javascript:alert(1)" })).toEqual(["redirectUrl"]);
    expect(
      await invalid({
        name: "F",
        topics: [{ key: "news" }],
        fields: [
          { key: "first_name", type: "number", label: "Name" },
          { key: "pick", type: "select", label: "Pick" },
          { key: "topics", type: "text", label: "Sneaky" },
          { key: "Bad Key", type: "text", label: "x" },
          { key: "pick", type: "text", label: "Again" },
        ],
      }),
    ).toEqual(["fields.3.key", "fields.0.type", "fields.1.options", "fields.2.key", "fields.4.key", "fields"]);
    expect(await invalid({ name: "F", topics: [{ key: "news" }], turnstile: { enabled: true } })).toEqual(["turnstile.siteKey"]);
    expect(await invalid({ name: "F", topics: [{ key: "news" }], confirmation: { templateId: 999999 } })).toEqual(["confirmation.templateId"]);
    expect(await invalid({ name: "F", topics: [{ key: "news" }], style: { accentColor: "red" }, display: { mode: "modal", delaySeconds: -1 } })).toEqual([
      "style.accentColor", "display.mode", "display.delaySeconds",
    ]);
  });

  it("creates a form with defaults and hands out the embed snippets", async () => {
    const res = await a.fetch("/api/forms", { method: "POST", json: { name: "Footer", topics: [{ key: "news" }], allowedOrigins: ["https://Shop.Example/"] } });
    expect(res.status).toBe(201);
    const form = await json(res);
    expect(form).toMatchObject({ name: "Footer", status: "active", stats: { submissions: 0, confirmed: 0, pending: 0 }, warnings: [] });
    expect(form.definition).toMatchObject({
      title: "Join our newsletter",
      fields: [{ key: "email", type: "email", label: "Email", required: true }],
      allowedOrigins: [SHOP],
      display: { mode: "inline", hideForDays: 7 },
      style: { buttonText: "Subscribe", accentColor: "#2563eb", layout: "stacked" },
      confirmation: { templateId: null, redirectUrl: "" },
      turnstile: { enabled: false },
    });
    expect(form.embed.script).toBe(`<div data-tern-form="${form.id}"></div>\n<script src="https://tern.example.com/forms/${form.id}.js" async></script>`);
    expect(form.embed.html).toContain(`<form action="https://tern.example.com/forms/${form.id}" method="post"`);
    expect(form.embed.hostedUrl).toBe(`https://tern.example.com/forms/${form.id}`);
  });

  it("warns about what would stop the form from working", async () => {
    const form = await json(await a.fetch("/api/forms", { method: "POST", json: { name: "Open", topics: [{ key: "news" }] } }));
    expect(form.warnings.join(" ")).toContain("No allowed origins");
  });

  it("needs a session or an API key", async () => {
    expect((await call("/api/forms")).status).toBe(401);
    expect((await call("/api/forms", { method: "POST", body: "{}" })).status).toBe(401);
  });
});

describe("managing forms", () => {
  it("lists forms with submission and confirmation figures", async () => {
    const form = await createForm(a, { name: "Counted", topics: [{ key: "offers" }] });
    await postJson(form.id, { email: "count1@example.com" });
    await postJson(form.id, { email: "count2@example.com" });
    await postJson(form.id, { email: "bot@example.com", tern_website: "x" }); // dropped: not counted
    await call(confirmPath((await confirmationEmail("count1@example.com")).html)!, { method: "POST" });
    const { items } = await json(await a.fetch("/api/forms"));
    const row = items.find((f: any) => f.id === form.id);
    expect(row).toMatchObject({ name: "Counted", status: "active", mode: "inline", topics: ["offers"], submissions: 2, confirmed: 1, pending: 1 });
    expect(row.definition).toBeUndefined();
    expect((await json(await a.fetch(`/api/forms/${form.id}`))).stats).toEqual({ submissions: 2, confirmed: 1, pending: 1 });
  });

  it("patches top-level keys and merges style and display one level deep", async () => {
    const form = await createForm(a, { name: "Patchy", topics: [{ key: "news" }], style: { buttonText: "Join" }, display: { mode: "popup", delaySeconds: 5 } });
    const res = await a.fetch(`/api/forms/${form.id}`, { method: "PATCH", json: { name: "Patched", style: { accentColor: "#0f766e" }, display: { exitIntent: true } } });
    expect(res.status).toBe(200);
    const out = await json(res);
    expect(out.name).toBe("Patched");
    expect(out.definition.style).toEqual({ buttonText: "Join", accentColor: "#0f766e", layout: "stacked" });
    expect(out.definition.display).toMatchObject({ mode: "popup", delaySeconds: 5, exitIntent: true });
    expect(out.embed.script).toBe(`<script src="https://tern.example.com/forms/${form.id}.js" async></script>`);
    const js = await (await call(`/forms/${form.id}.js`)).text();
    expect(js).toContain('"accent":"#0f766e"');
    expect((await a.fetch(`/api/forms/${form.id}`, { method: "PATCH", json: { topics: [] } })).status).toBe(400);
    expect((await a.fetch(`/api/forms/${form.id}`, { method: "PATCH", json: { status: "archived" } })).status).toBe(400);
    expect((await a.fetch("/api/forms/99999", { method: "PATCH", json: { name: "x" } })).status).toBe(404);
  });

  it("disables and enables a form", async () => {
    const form = await createForm(a, { name: "Switch", topics: [{ key: "news" }] });
    expect((await json(await a.fetch(`/api/forms/${form.id}/disable`, { method: "POST" }))).status).toBe("disabled");
    expect((await postJson(form.id, { email: "switch@example.com" })).status).toBe(410);
    expect((await json(await a.fetch(`/api/forms/${form.id}/enable`, { method: "POST" }))).status).toBe("active");
    expect((await postJson(form.id, { email: "switch@example.com" })).status).toBe(200);
  });

  it("deletes a form and keeps the consent records it produced", async () => {
    const form = await createForm(a, { name: "Doomed", topics: [{ key: "news" }], consentText: "Doomed consent" });
    await postJson(form.id, { email: "doomed@example.com" });
    expect((await a.fetch(`/api/forms/${form.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await a.fetch(`/api/forms/${form.id}`)).status).toBe(404);
    expect((await a.fetch(`/api/forms/${form.id}`, { method: "DELETE" })).status).toBe(404);
    expect((await call(`/forms/${form.id}.js`)).status).toBe(404);
    const contact = await contactByEmail("doomed@example.com");
    expect((await subscriptionsOf(contact.id))[0]).toMatchObject({ form_id: form.id, consent_text: "Doomed consent", status: "pending" });
    // the link already emailed still confirms
    await call(confirmPath((await confirmationEmail("doomed@example.com")).html)!, { method: "POST" });
    expect((await subscriptionsOf(contact.id))[0].status).toBe("subscribed");
    const n = await env.DB.prepare("SELECT count(*) AS n FROM forms WHERE id = ?").bind(form.id).first<{ n: number }>();
    expect(n!.n).toBe(0);
  });
});
