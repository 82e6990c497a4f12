/** Users, browser sessions, admin API keys and ingest write keys. Secrets are stored only as SHA-256 hashes. */
import { and, desc, eq, gt, lt } from "drizzle-orm";
import { hashPassword, sha256Hex, verifyPassword } from "../core/crypto";
import type { Principal } from "../env";
import { db } from "./db";
import { randomBytes, randomToken } from "./random";
import { apiKeys, sessions, users, writeKeys } from "./schema";

export const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;

export type User = typeof users.$inferSelect;
export const publicUser = (u: User) => ({ id: u.id, email: u.email, name: u.name, role: u.role, createdAt: u.createdAt });

export async function userCount(d1: D1Database): Promise<number> {
  const row = await d1.prepare("SELECT count(*) AS n FROM users").first<{ n: number }>();
  return row?.n ?? 0;
}

/** Creates the owner account, but only while there is no user at all (a second setup call loses the race). */
export async function createOwner(d1: D1Database, input: { email: string; name: string; password: string }, now: number): Promise<User | null> {
  const hash = await hashPassword(input.password, randomBytes(16));
  const row = await d1
    .prepare(
      `INSERT INTO users (email, name, password_hash, role, created_at, password_changed_at)
       SELECT ?, ?, ?, 'owner', ?, ? WHERE NOT EXISTS (SELECT 1 FROM users) RETURNING id`,
    )
    .bind(input.email, input.name, hash, now, now)
    .first<{ id: number }>();
  return row ? ((await db(d1).query.users.findFirst({ where: eq(users.id, row.id) })) ?? null) : null;
}

// Verifying against this when the email is unknown keeps the response time the same, so timing does not
// reveal which addresses have accounts.
let decoyHash: Promise<string> | null = null;

export async function checkPassword(d1: D1Database, email: string, password: string): Promise<User | null> {
  const user = await db(d1).query.users.findFirst({ where: eq(users.email, email) });
  if (!user) {
    decoyHash ??= hashPassword("decoy-password", new Uint8Array(16));
    await verifyPassword(password, await decoyHash);
    return null;
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : null;
}

export async function setPassword(d1: D1Database, userId: number, password: string, now: number): Promise<void> {
  const hash = await hashPassword(password, randomBytes(16));
  // A new password ends every session of the user, wherever it is.
  await d1.batch([
    d1.prepare("UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?").bind(hash, now, userId),
    d1.prepare("DELETE FROM sessions WHERE user_id = ?").bind(userId),
  ]);
}

export async function createSession(d1: D1Database, userId: number, userAgent: string | null, now: number) {
  const token = randomToken(32);
  const csrfToken = randomToken(24);
  await db(d1)
    .insert(sessions)
    .values({ tokenHash: await sha256Hex(token), userId, csrfToken, createdAt: now, expiresAt: now + SESSION_TTL_MS, userAgent: userAgent?.slice(0, 300) ?? null });
  return { token, csrfToken, expiresAt: now + SESSION_TTL_MS };
}

export async function sessionPrincipal(d1: D1Database, token: string, now: number): Promise<Principal | null> {
  const tokenHash = await sha256Hex(token);
  const row = await db(d1)
    .select({ user: users, csrfToken: sessions.csrfToken })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now)))
    .get();
  if (!row) return null;
  const { user } = row;
  return { kind: "session", userId: user.id, email: user.email, name: user.name, role: user.role, csrfToken: row.csrfToken, sessionHash: tokenHash };
}

export async function deleteSession(d1: D1Database, tokenHash: string): Promise<void> {
  await db(d1).delete(sessions).where(eq(sessions.tokenHash, tokenHash));
}

export async function purgeSessions(d1: D1Database, now: number): Promise<void> {
  await db(d1).delete(sessions).where(lt(sessions.expiresAt, now));
}

// ---- admin API keys ------------------------------------------------------------------------------------

export const API_KEY_PREFIX = "tern_";

export async function createApiKey(d1: D1Database, name: string, createdBy: number | null, now: number) {
  const key = randomToken(32, API_KEY_PREFIX);
  const row = await db(d1)
    .insert(apiKeys)
    .values({ name, keyHash: await sha256Hex(key), prefix: key.slice(0, 12), createdBy, createdAt: now })
    .returning({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt })
    .get();
  return { ...row, key };
}

export function listApiKeys(d1: D1Database) {
  return db(d1)
    .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .orderBy(desc(apiKeys.id))
    .all();
}

export async function deleteApiKey(d1: D1Database, id: number): Promise<boolean> {
  const res = await db(d1).delete(apiKeys).where(eq(apiKeys.id, id)).returning({ id: apiKeys.id });
  return res.length > 0;
}

export async function apiKeyPrincipal(d1: D1Database, key: string, now: number, defer: (p: Promise<unknown>) => void): Promise<Principal | null> {
  const row = await db(d1).query.apiKeys.findFirst({ where: eq(apiKeys.keyHash, await sha256Hex(key)) });
  if (!row) return null;
  // Remember use at most once a minute, off the request path.
  if (!row.lastUsedAt || now - row.lastUsedAt > 60_000) {
    defer(db(d1).update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id)).run());
  }
  return { kind: "api_key", userId: row.createdBy, email: null, name: `API key ${row.name}`, role: "admin", apiKeyId: row.id };
}

// ---- ingest write keys ---------------------------------------------------------------------------------

export const WRITE_KEY_PREFIX = "wk_";

export async function createWriteKey(d1: D1Database, input: { name: string; source: string }, now: number) {
  const key = randomToken(24, WRITE_KEY_PREFIX);
  const row = await db(d1)
    .insert(writeKeys)
    .values({ ...input, keyHash: await sha256Hex(key), prefix: key.slice(0, 10), createdAt: now })
    .returning()
    .get();
  return { ...publicWriteKey(row), key };
}

const publicWriteKey = ({ keyHash: _hash, ...rest }: typeof writeKeys.$inferSelect) => rest;

export async function listWriteKeys(d1: D1Database) {
  const rows = await db(d1).select().from(writeKeys).orderBy(desc(writeKeys.id)).all();
  return rows.map(publicWriteKey);
}

export async function updateWriteKey(d1: D1Database, id: number, patch: { name?: string; source?: string }) {
  const row = await db(d1).update(writeKeys).set(patch).where(eq(writeKeys.id, id)).returning().get();
  writeKeyCache.clear();
  return row ? publicWriteKey(row) : null;
}

export async function deleteWriteKey(d1: D1Database, id: number): Promise<boolean> {
  const res = await db(d1).delete(writeKeys).where(eq(writeKeys.id, id)).returning({ id: writeKeys.id });
  writeKeyCache.clear();
  return res.length > 0;
}

// Every ingest request authenticates; caching the lookup keeps it off D1. A deleted key stops working in this
// isolate at once and in others within the TTL.
const WRITE_KEY_TTL_MS = 60_000;
const writeKeyCache = new Map<string, { source: string | null; id: number | null; expires: number }>();

export async function writeKeySource(d1: D1Database, key: string, now: number, defer: (p: Promise<unknown>) => void): Promise<string | null> {
  if (!key.startsWith(WRITE_KEY_PREFIX) || key.length > 100) return null;
  const hash = await sha256Hex(key);
  const cached = writeKeyCache.get(hash);
  if (cached && cached.expires > now) return cached.source;
  const row = await db(d1).select({ id: writeKeys.id, source: writeKeys.source, lastUsedAt: writeKeys.lastUsedAt }).from(writeKeys).where(eq(writeKeys.keyHash, hash)).get();
  if (writeKeyCache.size > 1000) writeKeyCache.clear();
  writeKeyCache.set(hash, { source: row?.source ?? null, id: row?.id ?? null, expires: now + WRITE_KEY_TTL_MS });
  if (row && (!row.lastUsedAt || now - row.lastUsedAt > 60_000)) {
    defer(db(d1).update(writeKeys).set({ lastUsedAt: now }).where(eq(writeKeys.id, row.id)).run());
  }
  return row?.source ?? null;
}
