import { Script } from "node:vm";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { formDefinitionSchema, publicForm } from "../../worker/core/forms";
import { buildSnippet, cachedSnippet, plainForm, scriptTag } from "../../worker/forms/snippet";

// The largest form a definition allows in practice: every field type, several topics, popup rules, Turnstile.
const big = formDefinitionSchema.parse({
  title: "Join the Juniper list",
  description: "New teas first, 10% off your first order, no spam.",
  fields: [
    { key: "email", type: "email", label: "Email" },
    { key: "first_name", type: "text", label: "First name", placeholder: "Ada" },
    { key: "last_name", type: "text", label: "Last name" },
    { key: "birthday", type: "date", label: "Birthday" },
    { key: "phone", type: "tel", label: "Phone" },
    { key: "cups_a_day", type: "number", label: "Cups a day" },
    { key: "favourite", type: "select", label: "Favourite tea", options: ["Green", "Black", "Oolong", "Herbal"] },
    { key: "terms", type: "checkbox", label: "I accept the terms", required: true },
  ],
  topics: [
    { key: "newsletter", label: "Weekly letter", preselected: true },
    { key: "offers", label: "Offers" },
    { key: "events", label: "Tastings near me" },
  ],
  consentText: "By subscribing you agree to receive marketing email from Juniper. Unsubscribe at any time.",
  privacyUrl: "https://juniper.example/privacy",
  style: { accentColor: "#0f766e", buttonText: "Sign me up", layout: "inline" },
  display: { mode: "popup", delaySeconds: 5, scrollPercent: 40, exitIntent: true, hideForDays: 14 },
  allowedOrigins: ["https://juniper.example"],
  turnstile: { enabled: true, siteKey: "0x4AAAAAAAtestkey" },
});

describe("the embeddable snippet", () => {
  const js = buildSnippet(publicForm(42, big), "https://tern.juniper.example");

  it("is small: under 8 KB gzipped", () => {
    const raw = new TextEncoder().encode(js).byteLength;
    const gz = gzipSync(js, { level: 9 }).byteLength;
    console.log(`snippet size: ${raw} bytes raw, ${gz} bytes gzipped`);
    expect(gz).toBeLessThan(8 * 1024);
  });

  it("is valid JavaScript and carries no markup from the definition into innerHTML", () => {
    expect(() => new Script(js)).not.toThrow();
    expect(js).not.toContain("innerHTML");
    expect(js).toContain('"https://tern.juniper.example"');
  });

  it("keeps hostile text inert inside the script", () => {
    const hostile = formDefinitionSchema.parse({ title: "</script><script>alert(1)</script>\u2028", topics: [{ key: "news" }] });
    const out = buildSnippet(publicForm(1, hostile), "https://t.example");
    expect(out).not.toContain("</script>");
    expect(() => new Script(out)).not.toThrow();
  });

  it("is cached per form version and origin", () => {
    const a = cachedSnippet(publicForm(42, big), "https://a.example", 1);
    expect(cachedSnippet(publicForm(42, big), "https://a.example", 1)).toBe(a);
    expect(cachedSnippet(publicForm(42, big), "https://b.example", 1)).not.toBe(a);
  });
});

describe("the plain HTML form", () => {
  it("posts to the form, escapes labels, carries the honeypot and topic checkboxes", () => {
    const def = formDefinitionSchema.parse({
      fields: [{ key: "email", type: "email", label: "Email" }, { key: "first_name", type: "text", label: `Name "<b>"` }],
      topics: [{ key: "news", label: "News", preselected: true }, { key: "offers", label: "Offers" }],
    });
    const html = plainForm(publicForm(7, def), "https://t.example");
    expect(html).toContain('<form action="https://t.example/forms/7" method="post"');
    expect(html).toContain("Name &#34;&#60;b&#62;&#34;");
    expect(html).toContain('name="tern_website"');
    expect(html).toContain('<input type="checkbox" name="topics" value="news" checked>');
    expect(html).toContain('<input type="email" id="tern-7-email" name="email" autocomplete="email" required>');
  });

  it("offers a script tag with a placement target for inline forms", () => {
    expect(scriptTag("https://t.example", 3, "inline")).toBe('<div data-tern-form="3"></div>\n<script src="https://t.example/forms/3.js" async></script>');
    expect(scriptTag("https://t.example", 3, "popup")).toBe('<script src="https://t.example/forms/3.js" async></script>');
  });
});
