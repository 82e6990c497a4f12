import { describe, expect, it } from "vitest";
import { isTimezone, mapTraits, normalizeBirthday, normalizeEmail } from "../../worker/core/contact";

describe("normalizeEmail", () => {
  it("lower-cases and trims valid addresses", () => {
    expect(normalizeEmail("  Ada.Lovelace+news@Example.COM ")).toBe("ada.lovelace+news@example.com");
  });
  it("refuses header injection, spaces and junk", () => {
    for (const bad of ["a@b.co\r\nBcc: x@y.z", "a b@c.de", "no-at.example.com", "a@b", "a@@b.co", "a..b@c.de", "<a@b.co>", "a@b.co,c@d.co", `${"x".repeat(65)}@b.co`, ""]) {
      expect(normalizeEmail(bad), bad).toBeNull();
    }
  });
});

describe("normalizeBirthday", () => {
  it("accepts full dates, timestamps and month-day", () => {
    expect(normalizeBirthday("1990-02-28")).toBe("1990-02-28");
    expect(normalizeBirthday("1990-02-28T00:00:00Z")).toBe("1990-02-28");
    expect(normalizeBirthday("02-29")).toBe("--02-29");
    expect(normalizeBirthday("--12-31")).toBe("--12-31");
  });
  it("refuses impossible dates", () => {
    for (const bad of ["1990-02-30", "1991-02-29", "13-01", "1800-01-01", "tomorrow"]) expect(normalizeBirthday(bad), bad).toBeNull();
  });
});

describe("mapTraits", () => {
  it("maps Segment, snake_case and spreadsheet spellings to columns", () => {
    const { fields, properties, issues } = mapTraits({
      email: "A@B.CO", firstName: "Ada", "Last Name": "Lovelace", phone_number: "+1 555", time_zone: "America/New_York",
      birthday: "12-10", address: { country: "GB", city: "London" }, plan: "gold", id: "ignored",
    });
    expect(issues).toEqual([]);
    expect(fields).toEqual({ email: "a@b.co", firstName: "Ada", lastName: "Lovelace", phone: "+1 555", timezone: "America/New_York", birthday: "--12-10", country: "GB" });
    expect(properties).toEqual({ plan: "gold", address: { country: "GB", city: "London" } });
  });
  it("splits a full name only when first/last are not given", () => {
    expect(mapTraits({ name: "Grace Brewster Hopper" }).fields).toEqual({ firstName: "Grace", lastName: "Brewster Hopper" });
    expect(mapTraits({ name: "Grace Hopper", firstName: "G" }).fields).toEqual({ firstName: "G" });
  });
  it("reports bad values as issues and clears with null", () => {
    const r = mapTraits({ email: "nope", timezone: "Mars/Olympus", birthday: "someday", phone: null });
    expect(r.issues.map(([k]) => k)).toEqual(["email", "timezone", "birthday"]);
    expect(r.fields).toEqual({ phone: null });
  });
  it("knows real time zones", () => {
    expect(isTimezone("Europe/Paris")).toBe(true);
    expect(isTimezone("Europe/Nowhere")).toBe(false);
    expect(isTimezone("../../etc/passwd")).toBe(false);
  });
});
