import { describe, expect, it } from "vitest";
import { base64url, constantTimeEqual, fromBase64url, hashPassword, sha256Hex, verifyPassword } from "../../worker/core/crypto";
import { resolveSettings, mergeSettings } from "../../worker/core/settings";

describe("passwords", () => {
  it("hashes with PBKDF2-SHA256 at 100k iterations and verifies", async () => {
    const salt = new Uint8Array(16).fill(7);
    const hash = await hashPassword("correct horse", salt);
    expect(hash).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword("correct horse", hash)).toBe(true);
    expect(await verifyPassword("correct horsE", hash)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
    expect(await verifyPassword("x", "pbkdf2-sha256$abc$$")).toBe(false);
  });
});

describe("encoding", () => {
  it("round-trips base64url and refuses other alphabets", () => {
    const bytes = new Uint8Array([0, 255, 62, 63, 128]);
    expect(fromBase64url(base64url(bytes))).toEqual(bytes);
    expect(fromBase64url("a+b/")).toBeNull();
  });
  it("hashes and compares", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
  });
});

describe("settings", () => {
  it("fills defaults and ignores invalid stored sections", () => {
    const s = resolveSettings({ store: { name: "Shop", brandColor: "red" } });
    expect(s.store.name).toBe("My store"); // the stored section is invalid as a whole, so defaults apply
    expect(s.sender.fromEmail).toBe("");
  });
  it("merges a patch without resetting other fields, and validates the result", () => {
    const base = resolveSettings({ store: { name: "Shop", address: "1 Main St" } });
    const merged = mergeSettings(base, { store: { name: "New name" } });
    expect(merged.success && merged.data.store).toMatchObject({ name: "New name", address: "1 Main St" });
    expect(mergeSettings(base, { store: { brandColor: "blue" } }).success).toBe(false);
  });
});
