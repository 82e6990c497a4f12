import { describe, expect, it } from "vitest";
import { htmlToText } from "../../worker/core/html-text";
import { formatMoney, renderEmail, sampleModel, validateTemplate, type TemplateSource } from "../../worker/core/template";

const store = { name: "Juniper & Pine", address: "18 Harbour St, Portland", website: "https://shop.example", logo_url: "", brand_color: "#2f6f4f", currency: "USD" };
const model = (over: Record<string, unknown> = {}) => ({ ...sampleModel(store, "2026-11-23T12:00:00Z"), ...over });
const tpl = (over: Partial<TemplateSource> = {}): TemplateSource => ({ subject: "Hi {{ contact.first_name }}", preheader: "", html: "<p>Hello {{ contact.first_name | default: 'there' }}</p>", text: null, layout: "default", ...over });

describe("renderEmail", () => {
  it("personalises subject and body from the contact and the event", async () => {
    const out = await renderEmail(
      tpl({ html: "{% for p in event.products %}<p>{{ p.name }} × {{ p.quantity }} = {{ p.price | times: p.quantity | money }}</p>{% endfor %}" }),
      model(),
    );
    expect(out.subject).toBe("Hi Jamie");
    expect(out.html).toContain("<p>Stoneware mug × 2 = $56.00</p>");
    expect(out.html).toContain("Juniper &#38; Pine &middot; 18 Harbour St, Portland");
    expect(out.html).toContain('href="https://example.com/u/sample"');
  });

  it("escapes contact data in HTML, not in the subject", async () => {
    const m = model({ contact: { first_name: `<script>alert("x")</script>` } });
    const out = await renderEmail(tpl(), m);
    expect(out.html).not.toContain("<script>");
    expect(out.html).toContain("&lt;script&gt;");
    expect(out.subject).toBe(`Hi <script>alert("x")</script>`);
  });

  it("keeps subjects to one line (no header injection)", async () => {
    const out = await renderEmail(tpl({ subject: "Hi {{ contact.first_name }}" }), model({ contact: { first_name: "A\r\nBcc: x@evil.example" } }));
    expect(out.subject).toBe("Hi A Bcc: x@evil.example");
  });

  it("cannot reach prototypes, globals or files", async () => {
    const out = await renderEmail(tpl({ html: "[{{ contact.constructor }}][{{ contact.__proto__ }}][{{ globalThis }}][{{ env }}]" , layout: "none" }), model());
    expect(out.html).toBe("[][][][]");
    const problems = await validateTemplate(tpl({ html: "{% include 'secrets' %}" }), model());
    expect(problems[0]!.field).toBe("html");
  });

  it("generates the text part from the HTML, links spelled out, footer included", async () => {
    const out = await renderEmail(tpl({ html: '<h1>Sale</h1><p>See <a href="https://shop.example/sale">the sale</a>.</p><img src="x.png" alt="Banner">' }), model());
    expect(out.text).toContain("Sale");
    expect(out.text).toContain("See the sale (https://shop.example/sale).");
    expect(out.text).toContain("Banner");
    expect(out.text).toContain("Unsubscribe (https://example.com/u/sample)");
    expect(out.text).not.toContain("&#847;");
  });

  it("adds the unsubscribe footer to a hand-written text part", async () => {
    const out = await renderEmail(tpl({ text: "Hello {{ contact.first_name }}" }), model());
    expect(out.text).toMatch(/^Hello Jamie\n\n--\nJuniper & Pine, 18 Harbour St, Portland\nUnsubscribe: https:\/\/example.com\/u\/sample/);
  });

  it("formats dates in the contact's time zone", async () => {
    const out = await renderEmail(tpl({ subject: "{{ '2026-03-08T06:30:00Z' | local_date: '%Y-%m-%d %H:%M' }}" }), model({ contact: { timezone: "America/Los_Angeles" } }));
    expect(out.subject).toBe("2026-03-07 22:30");
  });
});

describe("validateTemplate", () => {
  it("reports syntax errors and unknown filters per field", async () => {
    const problems = await validateTemplate(tpl({ subject: "{{ contact.first_name | shout }}", html: "{% if %}" }), model());
    expect(problems.map((p) => p.field).sort()).toEqual(["html", "subject"]);
    expect(problems.find((p) => p.field === "subject")!.message).toMatch(/shout/);
  });
  it("accepts a good template and requires a subject", async () => {
    expect(await validateTemplate(tpl(), model())).toEqual([]);
    expect((await validateTemplate(tpl({ subject: " " }), model()))[0]!.field).toBe("subject");
  });
});

describe("helpers", () => {
  it("formats money per currency and locale", () => {
    expect(formatMoney(1234.5, "EUR", "de-DE")).toBe("1.234,50\u00a0€");
    expect(formatMoney("x", "USD", "en-US")).toBe("");
  });
  it("turns HTML into readable text", () => {
    expect(htmlToText("<ul><li>One</li><li>Two &amp; three</li></ul><p>a<br>b</p>")).toBe("- One\n- Two & three\n\na\nb\n");
    expect(htmlToText('<a href="javascript:alert(1)">x</a>')).toBe("x\n");
  });
});
