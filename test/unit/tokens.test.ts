import { describe, expect, it } from "vitest";
import { signToken, tokenKey, verifyToken } from "../../worker/core/tokens";

const now = Date.UTC(2026, 10, 23);

describe("tokens", () => {
  it("round-trips a click token that carries its destination, URL-safe", async () => {
    const key = await tokenKey("a-test-secret-of-enough-length");
    const token = await signToken(key, { k: "c", m: "msg_1", u: "https://shop.example/p?a=1&b=ü", l: 2 });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(await verifyToken(key, token, "c", now)).toEqual({ k: "c", m: "msg_1", u: "https://shop.example/p?a=1&b=ü", l: 2 });
  });

  it("refuses tampering, another kind, another secret and expiry", async () => {
    const key = await tokenKey("a-test-secret-of-enough-length");
    const other = await tokenKey("another-secret-of-enough-length");
    const token = await signToken(key, { k: "c", m: "m", u: "https://good.example/" });
    const [body, sig] = token.split(".") as [string, string];
    const forgedBody = Buffer.from(JSON.stringify({ k: "c", m: "m", u: "https://evil.example/" })).toString("base64url");
    expect(await verifyToken(key, `${forgedBody}.${sig}`, "c", now)).toBeNull();
    expect(await verifyToken(key, `${body}.${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`, "c", now)).toBeNull();
    expect(await verifyToken(key, token, "u", now)).toBeNull();
    expect(await verifyToken(other, token, "c", now)).toBeNull();
    for (const junk of ["", ".", "a.b.c", "x".repeat(5000), "%%%.@@@"]) expect(await verifyToken(key, junk, "c", now)).toBeNull();
    const expiring = await signToken(key, { k: "f", c: 1, x: now + 1000 });
    expect(await verifyToken(key, expiring, "f", now)).not.toBeNull();
    expect(await verifyToken(key, expiring, "f", now + 2000)).toBeNull();
  });

  it("refuses short secrets", () => {
    expect(() => tokenKey("short")).toThrow(/TERN_SECRET/);
  });
});
