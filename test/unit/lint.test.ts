import { describe, expect, it } from "vitest";
import { lintTemplate } from "../../worker/core/lint";
import { resolveSettings } from "../../worker/core/settings";
import type { TemplateSource } from "../../worker/core/template";

const good = resolveSettings({ store: { name: "Juniper", address: "1 Harbour St, Portland" }, sender: { fromEmail: "hi@juniper.example" }, sending: { publicUrl: "https://tern.juniper.example" } });
const tpl = (over: Partial<TemplateSource> = {}): TemplateSource => ({
  subject: "Autumn picks", preheader: "", text: null, layout: "default",
  html: '<p>Our autumn collection is here, with wool throws, mugs and a crumble recipe for slow mornings.</p><a href="https://shop.example">Shop</a>', ...over,
});
const codes = (t: TemplateSource, s = good) => lintTemplate(t, s).map((f) => `${f.level}:${f.code}`);

describe("lintTemplate", () => {
  it("passes a good template with the store layout", () => {
    expect(codes(tpl())).toEqual([]);
  });
  it("requires an unsubscribe link and the postal address without the layout", () => {
    expect(codes(tpl({ layout: "none" }))).toEqual(["error:unsubscribe_link", "error:postal_address"]);
    expect(codes(tpl({ layout: "none", html: '<p>Hi, a long enough body of text to read as a real email.</p><a href="{{ unsubscribe_url }}">Unsubscribe</a> {{ store.address }}' }))).toEqual([]);
  });
  it("requires an address and a sender in settings, and wants https for one-click", () => {
    expect(codes(tpl(), resolveSettings({}))).toEqual(["error:postal_address", "error:sender", "warning:one_click"]);
  });
  it("warns about long subjects, image-only bodies, missing alt text and http links", () => {
    expect(codes(tpl({ subject: "x".repeat(70) }))).toEqual(["warning:subject_length"]);
    expect(codes(tpl({ html: '<img src="https://cdn.example/banner.jpg"><a href="http://shop.example">Shop</a>' }))).toEqual(["warning:image_only", "warning:alt_text", "warning:insecure_links"]);
    expect(codes(tpl({ subject: " " }))).toEqual(["error:subject_empty"]);
  });
});
