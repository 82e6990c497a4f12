import { describe, expect, it } from "vitest";
import { classifyClick, classifyOpen } from "../../worker/core/engagement";
import { backoffSeconds, localMinutes, quietDelaySeconds } from "../../worker/core/sending";

const chrome = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";
const sentAt = Date.UTC(2026, 5, 1, 12, 0, 0);

describe("classifyOpen", () => {
  it("flags Apple privacy proxies, scanners and instant opens as machine", () => {
    expect(classifyOpen({ userAgent: "Mozilla/5.0", ip: "203.0.113.4", at: sentAt + 60_000, sentAt })).toBe("machine");
    expect(classifyOpen({ userAgent: chrome, ip: "17.58.1.2", at: sentAt + 60_000, sentAt })).toBe("machine");
    expect(classifyOpen({ userAgent: "Barracuda Sentinel (EE)", ip: "1.2.3.4", at: sentAt + 60_000, sentAt })).toBe("machine");
    expect(classifyOpen({ userAgent: chrome, ip: "1.2.3.4", at: sentAt + 1000, sentAt })).toBe("machine");
    expect(classifyOpen({ userAgent: "", ip: "1.2.3.4", at: sentAt + 60_000, sentAt })).toBe("machine");
  });
  it("counts a person's open, including through Gmail's image proxy", () => {
    expect(classifyOpen({ userAgent: chrome, ip: "1.2.3.4", at: sentAt + 60_000, sentAt })).toBe("human");
    expect(classifyOpen({ userAgent: "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)", ip: "66.249.1.1", at: sentAt + 60_000, sentAt })).toBe("human");
  });
});

describe("classifyClick", () => {
  const base = { userAgent: chrome, ip: "1.2.3.4", sentAt, method: "GET", link: 0, earlier: [] as { at: number; link: number }[] };
  it("flags HEAD requests, scanners, instant clicks and bursts across links", () => {
    expect(classifyClick({ ...base, method: "HEAD", at: sentAt + 60_000 })).toBe("bot");
    expect(classifyClick({ ...base, userAgent: "python-requests/2.31", at: sentAt + 60_000 })).toBe("bot");
    expect(classifyClick({ ...base, at: sentAt + 500 })).toBe("bot");
    const t = sentAt + 60_000;
    expect(classifyClick({ ...base, link: 2, at: t + 300, earlier: [{ at: t, link: 0 }, { at: t + 100, link: 1 }] })).toBe("bot");
  });
  it("counts a person clicking one link, or the same link twice", () => {
    const t = sentAt + 60_000;
    expect(classifyClick({ ...base, at: t })).toBe("human");
    expect(classifyClick({ ...base, at: t + 500, earlier: [{ at: t, link: 0 }] })).toBe("human");
    expect(classifyClick({ ...base, link: 1, at: t + 30_000, earlier: [{ at: t, link: 0 }] })).toBe("human");
  });
});

describe("quiet hours", () => {
  it("holds mail inside a window that wraps midnight, in the contact's zone", () => {
    // 23:30 in New York (EDT, UTC-4) = 03:30 UTC
    const at = Date.UTC(2026, 5, 2, 3, 30, 0);
    expect(localMinutes(at, "America/New_York")).toBe(23 * 60 + 30);
    expect(quietDelaySeconds(at, "America/New_York", "21:00", "08:00")).toBe(8.5 * 3600);
    expect(quietDelaySeconds(at, "Europe/Paris", "21:00", "08:00")).toBe(2.5 * 3600); // 05:30 in Paris
    expect(quietDelaySeconds(at, "Asia/Tokyo", "21:00", "08:00")).toBe(0); // 12:30 in Tokyo
  });
  it("is off when start equals end and outside the window", () => {
    const noonNy = Date.UTC(2026, 5, 2, 16, 0, 0);
    expect(quietDelaySeconds(noonNy, "America/New_York", "21:00", "08:00")).toBe(0);
    expect(quietDelaySeconds(noonNy, "America/New_York", "08:00", "08:00")).toBe(0);
  });
  it("survives the DST change (spring forward in New York)", () => {
    // 2026-03-08 01:30 EST = 06:30 UTC; the clock jumps from 02:00 to 03:00, release at 08:00 EDT = 12:00 UTC
    const at = Date.UTC(2026, 2, 8, 6, 30, 0);
    const delay = quietDelaySeconds(at, "America/New_York", "21:00", "08:00");
    expect(at + delay * 1000).toBeGreaterThanOrEqual(Date.UTC(2026, 2, 8, 11, 0, 0));
    expect(localMinutes(at + delay * 1000 + 3600_000, "America/New_York")).toBeGreaterThanOrEqual(8 * 60);
  });
  it("falls back to UTC for an unknown zone", () => {
    expect(localMinutes(Date.UTC(2026, 0, 1, 22, 15), "Not/AZone")).toBe(22 * 60 + 15);
  });
});

describe("backoff", () => {
  it("doubles, caps at an hour and honours Retry-After", () => {
    expect(backoffSeconds(1, 0.5)).toBe(30);
    expect(backoffSeconds(3, 0.5)).toBe(120);
    expect(backoffSeconds(20, 0.5)).toBe(3600);
    expect(backoffSeconds(1, 0.5, 7)).toBe(7);
  });
});
