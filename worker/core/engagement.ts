/**
 * Who opened or clicked: a person, or a machine acting for them. Apple Mail Privacy Protection fetches every
 * pixel through Apple's proxies, security gateways prefetch and scan links, and both would inflate rates.
 */

export type OpenFlag = "human" | "machine";
export type ClickFlag = "human" | "bot";

export interface Hit {
  userAgent: string;
  ip: string;
  at: number;
  /** when the email was sent; null if unknown */
  sentAt: number | null;
}

// Link scanners, prefetchers and HTTP libraries that announce themselves.
const scannerRe =
  /\b(bot|crawler|spider|preview|scanner|barracuda|mimecast|proofpoint|fireeye|trendmicro|symantec|messagelabs|forcepoint|sophos|cisco|ironport|zscaler|safelinks?|python-requests|python-urllib|go-http-client|curl|wget|okhttp|java\/|libwww|headlesschrome|phantomjs|slackbot|linkexpanding|facebookexternalhit|whatsapp|skypeuripreview)\b/i;

// Apple's privacy proxies fetch with a bare "Mozilla/5.0" and come from Apple's 17.0.0.0/8 network.
const appleProxyUa = /^Mozilla\/5\.0$/;
const isAppleIp = (ip: string) => /^17\./.test(ip);

/** Opens this soon after sending are pre-fetches by the receiving server, not a person reading. */
export const MACHINE_OPEN_WINDOW_MS = 5_000;
/** Clicks this soon after sending, or this close together across links, are scanners. */
export const BOT_CLICK_WINDOW_MS = 2_000;

export function classifyOpen(hit: Hit): OpenFlag {
  const ua = hit.userAgent.trim();
  if (!ua || appleProxyUa.test(ua) || isAppleIp(hit.ip) || scannerRe.test(ua)) return "machine";
  if (hit.sentAt !== null && hit.at - hit.sentAt < MACHINE_OPEN_WINDOW_MS) return "machine";
  return "human";
}

export interface ClickHit extends Hit {
  method: string;
  link: number;
  /** earlier clicks on the same email: when, and which link */
  earlier: { at: number; link: number }[];
}

export function classifyClick(hit: ClickHit): ClickFlag {
  if (hit.method.toUpperCase() === "HEAD") return "bot";
  const ua = hit.userAgent.trim();
  if (!ua || scannerRe.test(ua)) return "bot";
  if (hit.sentAt !== null && hit.at - hit.sentAt < BOT_CLICK_WINDOW_MS) return "bot";
  // A scanner opens every link of an email at once; people click one, maybe two.
  const burst = new Set(hit.earlier.filter((c) => Math.abs(hit.at - c.at) <= BOT_CLICK_WINDOW_MS).map((c) => c.link));
  burst.add(hit.link);
  return burst.size >= 3 ? "bot" : "human";
}
