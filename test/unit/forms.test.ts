import { describe, expect, it } from "vitest";
import {
  backUrl, consentVersion, fillTime, formDefinitionSchema, fromFormData, isHoneypotFilled, MIN_FILL_MS, originAllowed, readableOn, STAMP_MAX_AGE_MS,
  submissionSchema,
} from "../../worker/core/forms";

const def = formDefinitionSchema.parse({
  fields: [
    { key: "email", type: "email", label: "Email", required: false },
    { key: "first_name", type: "text", label: "First name", required: true },
    { key: "birthday", type: "date", label: "Birthday" },
    { key: "phone", type: "tel", label: "Phone" },
    { key: "cups", type: "number", label: "Cups a day" },
    { key: "size", type: "select", label: "Size", options: ["S", { value: "M", label: "Medium" }] },
    { key: "terms", type: "checkbox", label: "Terms", required: true },
    { key: "joined", type: "date", label: "Joined" },
  ],
  topics: [{ key: "news", preselected: true }, { key: "offers" }],
  allowedOrigins: ["https://Shop.Example/", "http://localhost:5173"],
});

describe("form definitions", () => {
  it("fills defaults, normalises origins and always requires the email", () => {
    const d = formDefinitionSchema.parse({ topics: [{ key: "news" }] });
    expect(d.fields).toEqual([{ key: "email", type: "email", label: "Email", placeholder: "", required: true, options: [] }]);
    expect(d.display).toEqual({ mode: "inline", delaySeconds: 0, scrollPercent: 0, exitIntent: false, hideForDays: 7 });
    expect(def.allowedOrigins).toEqual(["https://shop.example", "http://localhost:5173"]);
    expect(def.fields[0]!.required).toBe(true);
    expect(def.fields[5]!.options).toEqual([{ value: "S", label: "S" }, { value: "M", label: "Medium" }]);
  });

  it("is a fixed point: a stored definition parses to itself", () => {
    expect(formDefinitionSchema.parse(JSON.parse(JSON.stringify(def)))).toEqual(def);
  });
});

describe("submissions", () => {
  const schema = submissionSchema(def);
  const ok = { email: "Ada@Example.com", fields: { first_name: "Ada", terms: true }, topics: ["offers"] };

  it("coerces values from JSON and form text", () => {
    const out = schema.parse({ ...ok, fields: { ...ok.fields, birthday: "04-23", cups: "3", size: "M", phone: "+44 20 7946 0958", terms: "on", joined: "2024-02-29" }, page_url: "https://shop.example/x" });
    expect(out).toEqual({
      email: "ada@example.com",
      traits: { first_name: "Ada", birthday: "--04-23", cups: 3, size: "M", phone: "+44 20 7946 0958", terms: true, joined: "2024-02-29" },
      topics: ["offers"],
      pageUrl: "https://shop.example/x",
      stamp: null,
      turnstileToken: null,
      redirectTo: null,
    });
  });

  it("reports each problem at its field path", () => {
    const r = schema.safeParse({ email: "no", fields: { first_name: "  ", birthday: "1990-02-30", cups: "many", size: "XL", phone: "call me", terms: false, joined: "yesterday" }, topics: ["vip"] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join("."))).toEqual([
      "email", "fields.first_name", "fields.birthday", "fields.phone", "fields.cups", "fields.size", "fields.terms", "fields.joined", "topics",
    ]);
  });

  it("ignores a page URL that is not a web address, and fields the form does not have", () => {
    const out = schema.parse({ ...ok, page_url: "javascript:alert(1)", fields: { ...ok.fields, admin: true } });
    expect(out.pageUrl).toBeNull();
    expect(out.traits).not.toHaveProperty("admin");
  });

  it("implies the only topic of a single-topic form", () => {
    const single = formDefinitionSchema.parse({ topics: [{ key: "news" }] });
    expect(submissionSchema(single).parse({ email: "a@example.com", topics: ["whatever"] }).topics).toEqual(["news"]);
  });

  it("maps a plain HTML post: unticked boxes are false, topics repeat", () => {
    const form = new URLSearchParams("email=a%40example.com&first_name=Ada&topics=news&topics=offers&cf-turnstile-response=tok&tern_website=");
    const raw = fromFormData(def, form);
    expect(raw).toMatchObject({ email: "a@example.com", fields: { first_name: "Ada", terms: false }, topics: ["news", "offers"], turnstile_token: "tok" });
    expect(isHoneypotFilled(raw)).toBe(false);
    expect(isHoneypotFilled({ tern_website: "http://spam" })).toBe(true);
  });
});

describe("origins and redirects", () => {
  it("allows the form's origins and Tern's own host, nothing else", () => {
    expect(originAllowed(def, "https://shop.example", "https://tern.example")).toBe(true);
    expect(originAllowed(def, "https://tern.example", "https://tern.example")).toBe(true);
    for (const o of ["https://evil.example", "null", "", null, "https://shop.example.evil.example", "http://shop.example"]) {
      expect(originAllowed(def, o, "https://tern.example")).toBe(false);
    }
  });

  it("sends the visitor back only to an allowed origin, with the outcome in the fragment", () => {
    expect(backUrl(def, ["https://shop.example/p?q=1#old"], "subscribed")).toBe("https://shop.example/p?q=1#tern-form=subscribed");
    expect(backUrl(def, ["https://evil.example/", "http://localhost:5173/x"], "error-rate_limited")).toBe("http://localhost:5173/x#tern-form=error-rate_limited");
    for (const bad of ["//evil.example", "javascript:alert(1)", "https://shop.example@evil.example/", "data:text/html,hi", "/relative"]) {
      expect(backUrl(def, [bad], "subscribed")).toBeNull();
    }
  });
});

describe("fill time", () => {
  const now = 1_800_000_000_000;
  it("tells people from bots and stale pages", () => {
    expect(fillTime(null, now)).toBe("missing");
    expect(fillTime(now - MIN_FILL_MS + 1, now)).toBe("too_fast");
    expect(fillTime(now - MIN_FILL_MS, now)).toBe("ok");
    expect(fillTime(now - STAMP_MAX_AGE_MS - 1, now)).toBe("expired");
  });
});

describe("helpers", () => {
  it("versions consent text by its hash", async () => {
    expect(await consentVersion("I agree")).toBe(await consentVersion("I agree"));
    expect(await consentVersion("I agree")).not.toBe(await consentVersion("I agree."));
    expect(await consentVersion("I agree")).toMatch(/^[0-9a-f]{16}$/);
  });

  it("picks a readable button text colour", () => {
    expect(readableOn("#2563eb")).toBe("#ffffff");
    expect(readableOn("#fde047")).toBe("#000000");
  });
});
