/** Helpers for integration tests: requests through the real Worker, an owner session, keys. */
import { env, exports } from "cloudflare:workers";

export const BASE = "http://tern.test";

export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(BASE + path, init));
}

export interface Admin {
  cookie: string;
  csrf: string;
  /** an authenticated JSON request with the session cookie and CSRF header */
  fetch(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

export const OWNER = { email: "owner@example.com", password: "correct horse battery", name: "Olive Owner" };

/** Sets up the owner on first use in a test file, then logs in again for a fresh session. */
export async function admin(): Promise<Admin> {
  const status = (await (await call("/api/auth/status")).json()) as { setupRequired: boolean };
  const res = status.setupRequired
    ? await call("/api/auth/setup", { method: "POST", body: JSON.stringify(OWNER) })
    : await call("/api/auth/login", { method: "POST", body: JSON.stringify({ email: OWNER.email, password: OWNER.password }) });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return {
    cookie,
    csrf: csrfToken,
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set("cookie", cookie);
      headers.set("x-csrf-token", csrfToken);
      let body = init.body;
      if (init.json !== undefined) {
        body = JSON.stringify(init.json);
        headers.set("content-type", "application/json");
      }
      return call(path, { ...init, headers, body });
    },
  };
}

export async function writeKey(a: Admin, name = "Storefront"): Promise<string> {
  const res = await a.fetch("/api/write-keys", { method: "POST", json: { name } });
  if (res.status !== 201) throw new Error(`write key: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { key: string }).key;
}

export const basic = (key: string) => `Basic ${btoa(`${key}:`)}`;

export function track(key: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call(`/v1/${path}`, {
    method: "POST",
    headers: { authorization: basic(key), "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export async function json<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export const db = () => env.DB;

/** Polls `fn` until it returns something truthy (the queue consumers and Durable Objects work asynchronously). */
export async function until<T>(fn: () => Promise<T | null | undefined | false>, ms = 15_000, every = 100): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting`);
    await scheduler.wait(every);
  }
}
