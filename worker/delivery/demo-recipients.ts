/**
 * Demo recipients for the outbox provider: nobody reads an outbox, so with `sending.simulateRecipients` on, a share
 * of marketing emails gets opened (some by Apple's privacy proxy), some links clicked, and some clicks turn into
 * orders — through the real tracking queue and ingest, so reports, A/B winners and attribution behave as in
 * production. Off by default; the demo store turns it on. Rates depend on the subject, so A/B variants differ.
 */
import { bucket } from "../core/flow-step";
import type { Env } from "../env";
import type { TrackHit } from "./track";

export interface SentForDemo {
  id: string;
  contactId: number | null;
  subject: string;
  html: string;
  kind: string;
}

const PERSON = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15";
const MINUTE = 60;

/** The click destinations of an email, read back from its (signed, ours) /c/ tokens. */
function destinations(html: string): { url: string; link: number }[] {
  const out: { url: string; link: number }[] = [];
  for (const m of html.matchAll(/\/c\/([A-Za-z0-9_-]+)\./g)) {
    try {
      const p = JSON.parse(atob(m[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { u?: string; l?: number };
      if (p.u) out.push({ url: p.u, link: p.l ?? 0 });
    } catch {
      // not one of ours
    }
  }
  return out;
}

export async function simulateRecipients(env: Env, sent: SentForDemo[], now: number): Promise<void> {
  const hits: { hit: TrackHit; delay: number }[] = [];
  const orders: { contactId: number; messageId: string; delay: number; value: number }[] = [];
  for (const m of sent) {
    if (m.kind !== "marketing" || m.contactId === null) continue;
    const roll = (salt: string) => bucket(`${m.id}:${salt}`);
    const openRate = 25 + (bucket(`subject:${m.subject}`) % 25); // 25–49% by subject
    const delay = MINUTE + roll("delay") * 6; // 1–11 minutes
    const hit = (t: "o" | "c", ua: string, extra: Partial<TrackHit> = {}, after = 0): void => {
      hits.push({ hit: { t, h: `demo-${m.id}-${t}-${after}`, m: m.id, at: now + (delay + after) * 1000, ua, ip: "203.0.113.50", method: "GET", ...extra }, delay: delay + after });
    };
    if (roll("machine") < 15) hit("o", "Mozilla/5.0", { ip: "17.58.100.1" }); // Apple Mail Privacy Protection
    if (roll("open") >= openRate) continue;
    hit("o", PERSON);
    const links = destinations(m.html);
    if (!links.length || roll("click") >= 14) continue;
    const chosen = links[roll("link") % links.length]!;
    hit("c", PERSON, { u: chosen.url, l: chosen.link }, 90);
    if (roll("order") < 30) orders.push({ contactId: m.contactId, messageId: m.id, delay: delay + 600, value: 20 + (roll("value") % 120) });
  }
  // The tracking queue takes hits packed; the delay keeps them after the send, as a reader would be.
  for (const { hit, delay } of hits) await env.TRACK.send({ hits: [hit] }, { delaySeconds: Math.min(delay, 43_200) });
  for (const o of orders) await env.TRACK.send({ demoOrder: o }, { delaySeconds: o.delay });
}
