/** Authentication for /api/*: an API key (Bearer) or a session cookie, with CSRF checks for the cookie. */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { constantTimeEqual } from "../../core/crypto";
import type { AppEnv } from "../../env";
import { API_KEY_PREFIX, apiKeyPrincipal, sessionPrincipal } from "../../store/auth";
import { HttpError } from "../errors";

const safeMethodRe = /^(GET|HEAD|OPTIONS)$/;

/** `__Host-` cookies are bound to this exact origin over https; plain http (local dev) cannot use the prefix. */
export const sessionCookieName = (c: Context) => (new URL(c.req.url).protocol === "https:" ? "__Host-tern_session" : "tern_session");

const unauthenticated = () => new HttpError(401, "unauthenticated", "Sign in, or send an API key as Authorization: Bearer");

export const requireAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const now = Date.now();
  const auth = c.req.header("authorization");
  if (auth) {
    const [scheme, key] = auth.split(/\s+/, 2);
    if (!/^bearer$/i.test(scheme ?? "") || !key?.startsWith(API_KEY_PREFIX)) throw unauthenticated();
    const principal = await apiKeyPrincipal(c.env.DB, key, now, (p) => c.executionCtx.waitUntil(p));
    if (!principal) throw unauthenticated();
    c.set("principal", principal);
    return next();
  }

  const token = getCookie(c, sessionCookieName(c));
  const principal = token && token.length < 200 ? await sessionPrincipal(c.env.DB, token, now) : null;
  if (!principal) throw unauthenticated();
  if (!safeMethodRe.test(c.req.method)) checkCsrf(c, principal.csrfToken!);
  c.set("principal", principal);
  return next();
};

/**
 * Cookies ride along on cross-site requests; a state change must therefore carry the session's CSRF token in
 * a header (which another site cannot read or set), and a browser-sent Origin must be our own.
 */
function checkCsrf(c: Context, expected: string): void {
  const origin = c.req.header("origin");
  if (origin && origin !== new URL(c.req.url).origin) throw new HttpError(403, "csrf", "Cross-origin request refused");
  const token = c.req.header("x-csrf-token") ?? "";
  if (!constantTimeEqual(token, expected)) throw new HttpError(403, "csrf", "Missing or wrong X-CSRF-Token header");
}

/** For routes only a person at the UI may use (not API keys): minting keys, for instance. */
export const requireSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get("principal").kind !== "session") throw new HttpError(403, "forbidden", "This action needs a signed-in user, not an API key");
  return next();
};
