import { describe, expect, it } from "vitest";
import { localTime, nextLocalTime, zonedTime } from "../../worker/core/time";

describe("zonedTime", () => {
  it("finds the instant of a local time", () => {
    expect(zonedTime(2026, 6, 1, 9, 0, "America/New_York")).toBe(Date.UTC(2026, 5, 1, 13, 0));
    expect(zonedTime(2026, 1, 15, 9, 0, "Europe/Paris")).toBe(Date.UTC(2026, 0, 15, 8, 0));
    expect(zonedTime(2026, 1, 15, 9, 0, "Asia/Kolkata")).toBe(Date.UTC(2026, 0, 15, 3, 30));
  });
  it("resolves times skipped by spring-forward to after the jump, repeated times to the first", () => {
    // New York, 2026-03-08: 02:00 -> 03:00
    expect(zonedTime(2026, 3, 8, 2, 30, "America/New_York")).toBe(Date.UTC(2026, 2, 8, 7, 30)); // 03:30 EDT
    const t = zonedTime(2026, 3, 8, 2, 30, "America/New_York");
    expect(localTime(t, "America/New_York").hour).toBe(3);
    // 2026-11-01: 01:30 happens twice; the first is EDT (UTC-4)
    expect(zonedTime(2026, 11, 1, 1, 30, "America/New_York")).toBe(Date.UTC(2026, 10, 1, 5, 30));
  });
});

describe("nextLocalTime", () => {
  it("is strictly after, today or on the next matching weekday", () => {
    const tokyo = "Asia/Tokyo"; // UTC+9, no DST
    const morning = Date.UTC(2026, 5, 1, 22, 0); // 07:00 Tuesday in Tokyo
    expect(nextLocalTime(morning, tokyo, 9, 0)).toBe(Date.UTC(2026, 5, 2, 0, 0)); // 09:00 the same day
    expect(nextLocalTime(Date.UTC(2026, 5, 2, 0, 0), tokyo, 9, 0)).toBe(Date.UTC(2026, 5, 3, 0, 0)); // exactly 09:00 -> tomorrow
    expect(nextLocalTime(morning, tokyo, 9, 0, [6])).toBe(Date.UTC(2026, 5, 6, 0, 0)); // Saturday
  });
  it("keeps the local hour across DST", () => {
    const before = Date.UTC(2026, 2, 7, 15, 0); // Saturday 10:00 EST
    const next = nextLocalTime(before, "America/New_York", 9, 0);
    expect(next).toBe(Date.UTC(2026, 2, 8, 13, 0)); // Sunday 09:00 EDT
  });
});
