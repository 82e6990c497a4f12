/**
 * Builds the MIME message for one send: multipart/alternative text + HTML (quoted-printable UTF-8), RFC 8058
 * one-click unsubscribe headers, List-Id, our own Message-ID and X-Tern-Message-Id, with links rewritten to
 * signed click-tracking URLs and an open pixel appended.
 *
 * @example
 * const html = await rewriteLinks(rendered.html, { click: (url, i) => clickUrl(url, i), utm, skip: [unsubscribeUrl] });
 * const email = buildMessage({ ...input, rendered: { ...rendered, html: withPixel(html, openUrl) } });
 */
import { createMimeMessage, Mailbox } from "mimetext/browser";
import type { RenderedEmail } from "./template";

export interface Address {
  email: string;
  name?: string;
}

/** A fully built email: the MIME text for providers that take raw messages, and its parts for JSON APIs. */
export interface OutgoingEmail {
  /** Tern's message id; also sent as the X-Tern-Message-Id header so bounces can be matched */
  messageId: string;
  from: Address;
  to: Address;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  /** extra headers: List-Unsubscribe, List-Unsubscribe-Post, List-Id, X-Tern-Message-Id, Message-ID */
  headers: Record<string, string>;
  /** the complete RFC 5322 message (CRLF line ends) */
  raw: string;
}

export interface MessageInput {
  messageId: string;
  /** the host links and the Message-ID use, e.g. tern.example.com */
  host: string;
  from: Address;
  to: Address;
  replyTo?: string;
  rendered: RenderedEmail;
  /** marketing mail carries List-Unsubscribe (RFC 8058) and List-Id; transactional mail does not */
  unsubscribeUrl?: string;
  list?: { id: string; name: string };
  date: Date;
}

const CRLF = "\r\n";

/** RFC 2047 encoded words of at most 75 characters, folded onto continuation lines. */
export function encodeHeaderWords(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value) && value.length <= 900) return value;
  const words: string[] = [];
  let chunk = "";
  const encoder = new TextEncoder();
  // 45 UTF-8 bytes -> 60 base64 chars + 12 of "=?UTF-8?B?" and "?=" = 72 <= 75
  for (const ch of value) {
    if (encoder.encode(chunk + ch).length > 45) {
      words.push(chunk);
      chunk = "";
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${base64(encoder.encode(w))}?=`).join(`${CRLF} `);
}

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** A byte as quoted-printable escapes it. */
const QP_HEX = Array.from({ length: 256 }, (_, b) => `=${b.toString(16).toUpperCase().padStart(2, "0")}`);
/** Runs of characters quoted-printable cannot write as they are: controls, "=", and everything beyond ASCII. */
const QP_SPECIAL = /[^\x21-\x3c\x3e-\x7e \t]+/g;
const utf8 = new TextEncoder();
const escapeRun = (run: string) => {
  if (run === "=") return "=3D"; // most runs in HTML: attribute values
  let out = "";
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    if (c >= 0x80) {
      for (const b of utf8.encode(run.slice(i))) out += QP_HEX[b]!; // ASCII bytes encode as themselves
      return out;
    }
    out += QP_HEX[c]!;
  }
  return out;
};

/**
 * Quoted-printable (RFC 2045) of UTF-8 text, CRLF line ends, soft breaks keeping lines within 76 characters.
 * Runs over every part of every email sent: the escaping is one regular-expression pass per line and the soft
 * breaks are slices (never inside an =XX escape), not work per byte.
 */
export function quotedPrintable(text: string): string {
  const lines = text.split(/\r\n|\r|\n/);
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n]!.replace(QP_SPECIAL, escapeRun);
    const end = line.charCodeAt(line.length - 1);
    if (end === 32 || end === 9) line = line.slice(0, -1) + (end === 32 ? "=20" : "=09"); // white space at a line's end is not kept
    if (line.length <= 76) {
      lines[n] = line;
      continue;
    }
    let out = "";
    let at = 0;
    while (line.length - at > 76) {
      let cut = at + 75;
      if (line[cut - 1] === "=") cut -= 1;
      else if (line[cut - 2] === "=") cut -= 2;
      out += line.slice(at, cut) + "=\r\n";
      at = cut;
    }
    lines[n] = out + line.slice(at);
  }
  return lines.join(CRLF);
}

/** Folds a long unstructured header value at spaces/commas so no line exceeds 78 characters. */
export function foldHeader(name: string, value: string): string {
  const parts = value.split(/(?<=,)\s*/);
  let line = `${name}: `;
  let out = "";
  for (const part of parts) {
    if (line.length + part.length > 78 && line.trim() !== `${name}:`) {
      out += line.trimEnd() + CRLF;
      line = " ";
    }
    line += part + (part.endsWith(",") ? " " : "");
  }
  return (out + line.trimEnd()).slice(name.length + 2);
}

export function buildMessage(input: MessageInput): OutgoingEmail {
  const { rendered } = input;
  const msg = createMimeMessage();
  msg.setSender(input.from.name ? { name: input.from.name, addr: input.from.email } : input.from.email);
  msg.setRecipient(input.to.name ? { name: input.to.name, addr: input.to.email } : input.to.email);
  msg.setSubject("-"); // replaced below with properly folded encoded words
  msg.setHeader("Date", input.date.toUTCString().replace(/GMT$/, "+0000"));
  const messageIdHeader = `<${input.messageId}@${input.host}>`;
  msg.setHeader("Message-ID", messageIdHeader);

  const headers: Record<string, string> = { "Message-ID": messageIdHeader, "X-Tern-Message-Id": input.messageId };
  if (input.replyTo) msg.setHeader("Reply-To", new Mailbox(input.replyTo));
  if (input.unsubscribeUrl) {
    headers["List-Unsubscribe"] = `<${input.unsubscribeUrl}>`;
    headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
  }
  if (input.list) headers["List-Id"] = `${displayName(input.list.name)} <${input.list.id}.${input.host}>`;
  for (const [name, value] of Object.entries(headers)) if (name !== "Message-ID") msg.setHeader(name, foldHeader(name, value));

  msg.addMessage({ contentType: "text/plain", data: quotedPrintable(rendered.text), encoding: "quoted-printable" });
  msg.addMessage({ contentType: "text/html", data: quotedPrintable(rendered.html), encoding: "quoted-printable" });

  // mimetext puts a whole name or subject into one encoded word; RFC 2047 caps a word at 75 characters, so
  // these three headers are written again, only in the header block (a body line may start with "From: ").
  const built = msg.asRaw();
  const split = built.indexOf(CRLF + CRLF);
  const head = built
    .slice(0, split)
    .replace(/^From: .*$/m, () => `From: ${mailbox(input.from)}`)
    .replace(/^To: .*$/m, () => `To: ${mailbox(input.to)}`)
    .replace(/^Subject: .*$/m, () => `Subject: ${encodeHeaderWords(rendered.subject)}`);
  const raw = head + built.slice(split);
  return {
    messageId: input.messageId,
    from: input.from,
    to: input.to,
    ...(input.replyTo ? { replyTo: input.replyTo } : {}),
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    headers,
    raw,
  };
}

const mailbox = (a: Address) => (a.name ? `${displayName(a.name)} <${a.email}>` : a.email);

/** ASCII names are quoted when they contain specials; others become encoded words, which need no quoting. */
const displayName = (name: string) => (/^[\x20-\x7e]*$/.test(name) ? phrase(name) : encodeHeaderWords(name));

/** A display name is quoted when it contains specials (RFC 5322 phrase). */
const phrase = (name: string) => (/^[\w !#$%&'*+\-/=?^`{|}~]*$/.test(name) ? name : `"${name.replace(/["\\]/g, "\\$&")}"`);

export interface LinkOptions {
  /** returns the tracked URL for a destination; index counts links in document order */
  click?: (url: string, index: number) => Promise<string>;
  /** UTM parameters added to links that have none */
  utm?: Record<string, string> | null;
  /** destinations never wrapped (unsubscribe and preference links must work without the tracker) */
  skip?: string[];
}

const hrefRe = /(<a\b[^>]*?\shref\s*=\s*)(["'])(.*?)\2/gis;

/** Rewrites every http(s) link of the HTML: UTM parameters first, then the click-tracking wrapper. */
export async function rewriteLinks(html: string, opts: LinkOptions): Promise<string> {
  // First every link's destination, then all click URLs at once (each is a signature: awaiting them one by one
  // would serialise the crypto calls), then the HTML with them in place.
  const links: { whole: string; at: number; prefix: string; quote: string; target: string | null }[] = [];
  for (const m of html.matchAll(hrefRe)) {
    const [whole, prefix, quote, rawHref] = m as unknown as [string, string, string, string];
    const href = unescapeAttr(rawHref.trim());
    const tracked = /^https?:\/\//i.test(href) && !opts.skip?.includes(href) && !/\sdata-tern-notrack\b/i.test(prefix);
    links.push({ whole, at: m.index!, prefix, quote, target: tracked ? (opts.utm ? withUtm(href, opts.utm) : href) : null });
  }
  const click = opts.click;
  const tracked = links.filter((l) => l.target !== null);
  const targets = click ? await Promise.all(tracked.map((l, index) => click(l.target!, index))) : tracked.map((l) => l.target!);
  tracked.forEach((l, i) => (l.target = targets[i]!));
  let out = "";
  let last = 0;
  for (const l of links) {
    out += html.slice(last, l.at) + (l.target === null ? l.whole : `${l.prefix}${l.quote}${escapeAttr(l.target)}${l.quote}`);
    last = l.at + l.whole.length;
  }
  return out + html.slice(last);
}

export function withUtm(url: string, utm: Record<string, string>): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if ([...parsed.searchParams.keys()].some((k) => k.startsWith("utm_"))) return url;
  for (const [k, v] of Object.entries(utm)) if (v) parsed.searchParams.set(`utm_${k}`, v);
  return parsed.toString();
}

/** Appends the open-tracking pixel just before </body> (or at the end). */
export function withPixel(html: string, pixelUrl: string): string {
  const img = `<img src="${escapeAttr(pixelUrl)}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px;overflow:hidden">`;
  const at = html.search(/<\/body>/i);
  return at === -1 ? html + img : html.slice(0, at) + img + html.slice(at);
}

const unescapeAttr = (s: string) => s.replace(/&amp;/g, "&").replace(/&#38;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'");
const escapeAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
