/**
 * The SES adapter's Signature Version 4 signer against AWS's published examples: the signing-key derivation
 * example of the IAM user guide and cases of the SigV4 test suite (credentials AKIDEXAMPLE /
 * wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, us-east-1, service "service", 20150830T123600Z).
 */
import { describe, expect, it } from "vitest";
import { __internals, signingKey, signV4 } from "../../worker/delivery/providers/ses";

const CREDS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const SCOPE = { region: "us-east-1", service: "service" };
const NOW = new Date(Date.UTC(2015, 7, 30, 12, 36, 0));
const CREDENTIAL = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");

async function authorization(method: string, url: string, headers: Record<string, string> = {}, body = "") {
  return (await signV4({ method, url, headers, body }, CREDS, SCOPE, NOW)).authorization;
}

describe("SigV4", () => {
  it("derives the signing key of AWS's documented example (20120215, us-east-1, iam)", async () => {
    expect(hex(await signingKey(CREDS.secretAccessKey, "20120215", "us-east-1", "iam"))).toBe("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
  });

  it.each([
    ["get-vanilla", "GET", "https://example.amazonaws.com/", {}, "", "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"],
    ["post-vanilla", "POST", "https://example.amazonaws.com/", {}, "", "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"],
    ["get-vanilla-query-order-key-case", "GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1", {}, "", "host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"],
    ["get-utf8", "GET", "https://example.amazonaws.com/ሴ", {}, "", "host;x-amz-date", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"],
    ["post-header-key-sort", "POST", "https://example.amazonaws.com/", { "My-Header1": "value1" }, "", "host;my-header1;x-amz-date", "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"],
    [
      "post-x-www-form-urlencoded",
      "POST",
      "https://example.amazonaws.com/",
      { "Content-Type": "application/x-www-form-urlencoded" },
      "Param1=value1",
      "content-type;host;x-amz-date",
      "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
    ],
  ] as const)("matches the AWS test suite: %s", async (_name, method, url, headers, body, signed, signature) => {
    expect(await authorization(method, url, { ...headers }, body)).toBe(`${CREDENTIAL}, SignedHeaders=${signed}, Signature=${signature}`);
  });

  it("returns the headers to send: x-amz-date and Authorization, not Host (fetch sets it)", async () => {
    const headers = await signV4({ method: "POST", url: "https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails", headers: { "content-type": "application/json" }, body: "{}" }, CREDS, { region: "eu-west-1", service: "ses" }, NOW);
    expect(Object.keys(headers).sort()).toEqual(["authorization", "content-type", "x-amz-date"]);
    expect(headers["x-amz-date"]).toBe("20150830T123600Z");
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20150830\/eu-west-1\/ses\/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}$/);
  });

  it("signs a session token when there is one", async () => {
    const headers = await signV4({ method: "GET", url: "https://example.amazonaws.com/", headers: {}, body: "" }, { ...CREDS, sessionToken: "tok" }, SCOPE, NOW);
    expect(headers["x-amz-security-token"]).toBe("tok");
    expect(headers.authorization).toContain("SignedHeaders=host;x-amz-date;x-amz-security-token,");
  });

  it("encodes paths once and sorts query parameters by encoded name, then value", () => {
    expect(__internals.canonicalPath(new URL("https://x/a b/%E1%88%B4/").pathname)).toBe("/a%20b/%E1%88%B4/");
    expect(__internals.canonicalQuery(new URLSearchParams("b=2&a=1&A=0&a=0&k=a%20b*"))).toBe("A=0&a=0&a=1&b=2&k=a%20b%2A");
  });
});
