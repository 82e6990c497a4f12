/** The signed URLs an email carries: tracking, unsubscribe, preferences, view in browser. */
import { signToken, tokenKey } from "../core/tokens";
import type { Env } from "../env";

export class MissingSecretError extends Error {}

export async function linkKey(env: Env): Promise<CryptoKey> {
  if (!env.TERN_SECRET || env.TERN_SECRET.length < 16) {
    throw new MissingSecretError("TERN_SECRET is not set (at least 16 characters): run `wrangler secret put TERN_SECRET`");
  }
  return tokenKey(env.TERN_SECRET);
}

export interface MessageLinks {
  unsubscribe: string;
  preferences: string;
  viewInBrowser: string;
  open: string;
  click: (url: string, index: number) => Promise<string>;
}

export async function messageLinks(
  key: CryptoKey,
  base: string,
  m: { id: string; contactId: number | null; topicId: number | null },
): Promise<MessageLinks> {
  const contact = m.contactId ?? undefined;
  const [unsubscribe, preferences, view, open] = await Promise.all([
    signToken(key, { k: "u", m: m.id, c: contact, t: m.topicId ?? undefined }),
    signToken(key, { k: "p", c: contact }),
    signToken(key, { k: "v", m: m.id }),
    signToken(key, { k: "o", m: m.id }),
  ]);
  return {
    unsubscribe: `${base}/u/${unsubscribe}`,
    preferences: `${base}/p/${preferences}`,
    viewInBrowser: `${base}/v/${view}`,
    open: `${base}/o/${open}`,
    click: async (url, index) => `${base}/c/${await signToken(key, { k: "c", m: m.id, u: url, l: index })}`,
  };
}
