import { describe, expect, it } from "vitest";
// @ts-expect-error plain JS module of the dev seed
import { TEMPLATES } from "../../scripts/lib/demo-templates.mjs";
import { renderEmail, sampleModel, validateTemplate } from "../../worker/core/template";

const store = { name: "Juniper & Pine", address: "18 Harbour Street, Portland, ME", website: "", logo_url: "", brand_color: "#2f6f4f", currency: "USD" };

describe("demo store templates", () => {
  for (const t of TEMPLATES as { name: string; subject: string; preheader: string; html: string }[]) {
    it(`${t.name} is valid and renders`, async () => {
      const source = { ...t, text: null, layout: "default" as const };
      const model = sampleModel(store, "2026-11-23T12:00:00Z");
      expect(await validateTemplate(source, model)).toEqual([]);
      const out = await renderEmail(source, model);
      expect(out.subject).not.toContain("{{");
      expect(out.html).not.toMatch(/NaN|\{\{|\{%/);
    });
  }
  it("renders the cart lines with prices", async () => {
    const cart = (TEMPLATES as { name: string }[]).find((t) => t.name.startsWith("Abandoned"))!;
    const out = await renderEmail({ ...(cart as any), text: null, layout: "default" }, sampleModel(store, "2026-11-23T12:00:00Z"));
    expect(out.html).toContain("Stoneware mug");
    expect(out.html).toContain("$56.00");
    expect(out.html).toContain("Total $84.00");
  });
});
