/** /api/auth/* — first-run setup, login/logout, the current user, password change. */
import type { Context } from "hono";
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { emailSchema } from "../../core/contact";
import type { AppEnv } from "../../env";
import { checkPassword, createOwner, createSession, deleteSession, publicUser, sessionPrincipal, setPassword, SESSION_TTL_MS, userCount } from "../../store/auth";
import { check, hit, type Limit } from "../../store/ratelimit";
import { jsonBody } from "../body";
import { HttpError } from "../errors";
import { clientIp } from "../ratelimit";
import { sessionCookieName } from "./session";

const password = z.string().min(10, "use at least 10 characters").max(200);
const setupSchema = z.object({ email: emailSchema, name: z.string().trim().max(100).default(""), password });
const loginSchema = z.object({ email: z.string().max(320), password: z.string().max(200) });
const passwordSchema = z.object({ current: z.string().max(200), password });

/** Routes that work without a session. */
export const publicAuth = new Hono<AppEnv>();

// Tells the UI which screen to show (setup, login or the app) without an error for a signed-out browser.
publicAuth.get("/status", async (c) => {
  const token = getCookie(c, sessionCookieName(c));
  const [users, principal] = await Promise.all([
    userCount(c.env.DB),
    token && token.length < 200 ? sessionPrincipal(c.env.DB, token, Date.now()) : null,
  ]);
  return c.json({ setupRequired: users === 0, authenticated: !!principal });
});

publicAuth.post("/setup", async (c) => {
  const input = await jsonBody(c, setupSchema);
  const user = await createOwner(c.env.DB, input, Date.now());
  if (!user) throw new HttpError(409, "already_set_up", "Tern is already set up; log in instead");
  const csrfToken = await startSession(c, user.id);
  return c.json({ user: publicUser(user), csrfToken }, 201);
});

// Failed logins are limited per address and per account, across isolates.
const loginLimits = (ip: string, email: string): Limit[] => [
  { key: `login:ip:${ip}`, max: 20, windowSeconds: 900 },
  { key: `login:email:${email}`, max: 8, windowSeconds: 900 },
];

publicAuth.post("/login", async (c) => {
  const { email, password } = await jsonBody(c, loginSchema);
  const now = Date.now();
  const limits = loginLimits(clientIp(c.req.raw), email.trim().toLowerCase());
  const state = await check(c.env.DB, limits, now);
  if (!state.allowed) {
    throw new HttpError(429, "too_many_attempts", "Too many failed logins; try again later", undefined, { "Retry-After": String(state.retryAfter) });
  }
  const user = await checkPassword(c.env.DB, email.trim().toLowerCase(), password);
  if (!user) {
    await Promise.all(limits.map((l) => hit(c.env.DB, l, now)));
    throw new HttpError(401, "invalid_credentials", "Email or password is incorrect");
  }
  const csrfToken = await startSession(c, user.id);
  return c.json({ user: publicUser(user), csrfToken });
});

/** Routes for a signed-in user (mounted behind the auth middleware). */
export const privateAuth = new Hono<AppEnv>();

privateAuth.get("/me", (c) => {
  const p = c.get("principal");
  return c.json({ user: { id: p.userId, email: p.email, name: p.name, role: p.role }, via: p.kind, csrfToken: p.csrfToken ?? null });
});

privateAuth.post("/logout", async (c) => {
  const p = c.get("principal");
  if (p.sessionHash) await deleteSession(c.env.DB, p.sessionHash);
  deleteCookie(c, sessionCookieName(c), { path: "/", secure: isHttps(c) });
  return c.json({ ok: true });
});

privateAuth.post("/password", async (c) => {
  const p = c.get("principal");
  if (p.kind !== "session" || !p.userId || !p.email) throw new HttpError(403, "forbidden", "Only a signed-in user can change their password");
  const input = await jsonBody(c, passwordSchema);
  if (!(await checkPassword(c.env.DB, p.email, input.current))) throw new HttpError(400, "invalid_request", "The current password is incorrect", [{ path: "current", message: "incorrect" }]);
  await setPassword(c.env.DB, p.userId, input.password, Date.now());
  // Every other session is gone; this browser gets a fresh one.
  const csrfToken = await startSession(c, p.userId);
  return c.json({ ok: true, csrfToken });
});

const isHttps = (c: Context) => new URL(c.req.url).protocol === "https:";

async function startSession(c: Context<AppEnv>, userId: number): Promise<string> {
  const session = await createSession(c.env.DB, userId, c.req.header("user-agent") ?? null, Date.now());
  setCookie(c, sessionCookieName(c), session.token, {
    httpOnly: true,
    sameSite: "Strict",
    secure: isHttps(c),
    path: "/",
    maxAge: SESSION_TTL_MS / 1000,
  });
  return session.csrfToken;
}
