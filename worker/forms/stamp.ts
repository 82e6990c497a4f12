/**
 * Render stamps: the snippet fetches one when it shows the form and sends it back with the submission, so the
 * server knows how long the form was on screen. They are signed with a key of their own, so a stamp can never
 * pass for a confirmation token (both are of token kind "f").
 */
import { STAMP_MAX_AGE_MS } from "../core/forms";
import { signToken, tokenKey, verifyToken } from "../core/tokens";
import { linkKey } from "../delivery/links";
import type { Env } from "../env";

async function stampKey(env: Env): Promise<CryptoKey> {
  await linkKey(env); // refuses a missing or short secret
  return tokenKey(`${env.TERN_SECRET}\u0000form-stamp`);
}

/** A stamp for a form rendered at `renderedAt`; it expires STAMP_MAX_AGE_MS later. */
export async function issueStamp(env: Env, formId: number, renderedAt: number): Promise<string> {
  return signToken(await stampKey(env), { k: "f", t: formId, x: renderedAt + STAMP_MAX_AGE_MS });
}

/** When the form was rendered, or null for a stamp that is forged, damaged or from another form. */
export async function stampTime(env: Env, formId: number, stamp: string): Promise<number | null> {
  // expiry is judged by the caller (an old stamp gets a "reload the page" answer, not silence)
  const payload = await verifyToken(await stampKey(env), stamp, "f", 0);
  if (!payload || payload.t !== formId || typeof payload.x !== "number" || payload.c !== undefined) return null;
  return payload.x - STAMP_MAX_AGE_MS;
}
