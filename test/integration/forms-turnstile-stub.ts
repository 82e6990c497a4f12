/**
 * vitest globalSetup (runs in Node): a local stand-in for Cloudflare Turnstile's siteverify endpoint. It answers
 * like the real one (form-encoded or JSON `secret`, `response`, `remoteip`; `{ success, "error-codes" }`):
 * a request with the test secret and the response token "pass" succeeds, anything else fails. The last request
 * is served at GET /last so tests can check what the Worker sent. The Worker reaches it through the
 * TURNSTILE_VERIFY_URL binding (test/vitest.workers.config.ts).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    turnstileUrl: string;
  }
}

export const TURNSTILE_TEST_SECRET = "test-turnstile-secret";
export const TURNSTILE_PASS = "pass";

export default async function setup(project: TestProject) {
  let last: Record<string, string> | null = null;
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/last") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(last));
      return;
    }
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/siteverify") return void res.writeHead(404).end();
      const fields = (req.headers["content-type"] ?? "").includes("json")
        ? (JSON.parse(body || "{}") as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(body));
      last = fields;
      const codes = [
        ...(fields.secret === TURNSTILE_TEST_SECRET ? [] : ["invalid-input-secret"]),
        ...(fields.response === TURNSTILE_PASS ? [] : [fields.response ? "invalid-input-response" : "missing-input-response"]),
      ];
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(codes.length ? { success: false, "error-codes": codes } : { success: true, "error-codes": [], hostname: "localhost", challenge_ts: new Date().toISOString() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  project.provide("turnstileUrl", url);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
