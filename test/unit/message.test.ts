import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { buildMessage, encodeHeaderWords, foldHeader, quotedPrintable, rewriteLinks, withPixel, withUtm } from "../../worker/core/message";

// Parse with Python's standard library email package: a strict, real MIME parser independent of ours.
function parseMime(raw: string) {
  const script = `
import sys, json, email
from email import policy
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.SMTP)
parts = {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}
print(json.dumps({
  "subject": str(msg["subject"]), "from": str(msg["from"]), "to": str(msg["to"]), "type": msg.get_content_type(),
  "headers": {k: str(v) for k, v in msg.items()}, "parts": parts, "defects": [str(d) for d in msg.defects],
}))`;
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", script], { input: raw }).toString()) as {
    subject: string; from: string; to: string; type: string; headers: Record<string, string>; parts: Record<string, string>; defects: string[];
  };
}

const longUrl = `https://tern.example.com/u/${"A".repeat(180)}.sig`;
const email = () =>
  buildMessage({
    messageId: "msg_01HZX",
    host: "tern.example.com",
    from: { email: "hello@juniper.example", name: "Juniper & Pine — Café" },
    to: { email: "zoë@example.com".replace("ë", "e"), name: "Zoë Ändersson" },
    replyTo: "care@juniper.example",
    rendered: {
      subject: "Your cart is waiting, Zoë — 10% off ☕ ".repeat(3).trim(),
      preheader: "",
      html: `<p>Grüße, Zoë! ${"Lorem ipsum dolor sit amet ".repeat(20)}</p><p>=ends with equals=</p>`,
      text: "Grüße, Zoë!\nLine two with trailing space \nend",
    },
    unsubscribeUrl: longUrl,
    list: { id: "newsletter", name: "Juniper & Pine: Newsletter" },
    date: new Date(Date.UTC(2026, 10, 23, 9, 30)),
  });

describe("buildMessage", () => {
  it("produces a MIME message a real parser reads back exactly", () => {
    const e = email();
    const parsed = parseMime(e.raw);
    expect(parsed.defects).toEqual([]);
    expect(parsed.type).toBe("multipart/alternative");
    expect(parsed.subject).toBe(e.subject);
    expect(parsed.from).toBe("Juniper & Pine — Café <hello@juniper.example>");
    expect(parsed.to).toBe("Zoë Ändersson <zoe@example.com>");
    expect(parsed.parts["text/plain"]!.replace(/\r\n/g, "\n").replace(/\n$/, "")).toBe("Grüße, Zoë!\nLine two with trailing space \nend");
    expect(parsed.parts["text/html"]).toContain("Grüße, Zoë!");
    expect(parsed.parts["text/html"]).toContain("=ends with equals=");
  });

  it("carries one-click unsubscribe, List-Id, Message-ID and the message id header", () => {
    const h = parseMime(email().raw).headers;
    expect(h["List-Unsubscribe"]).toBe(`<${longUrl}>`);
    expect(h["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(h["List-Id"]).toBe('"Juniper & Pine: Newsletter" <newsletter.tern.example.com>');
    expect(h["Message-ID"]).toBe("<msg_01HZX@tern.example.com>");
    expect(h["X-Tern-Message-Id"]).toBe("msg_01HZX");
    expect(h["Reply-To"]).toBe("care@juniper.example");
    expect(h["Date"]).toBe("Mon, 23 Nov 2026 09:30:00 +0000");
  });

  it("keeps lines within RFC 5322's 998 characters and encoded words within RFC 2047's 75", () => {
    const raw = email().raw;
    const lines = raw.split("\r\n");
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(998);
    const words = raw.slice(0, raw.indexOf("\r\n\r\n")).match(/=\?UTF-8\?B\?[^?]*\?=/gi)!;
    expect(words.length).toBeGreaterThan(3);
    for (const w of words) expect(w.length).toBeLessThanOrEqual(75);
    expect(raw).not.toMatch(/[^\r]\n/);
  });

  it("omits unsubscribe headers for transactional mail", () => {
    const e = buildMessage({ messageId: "m", host: "h.example", from: { email: "a@h.example" }, to: { email: "b@h.example" }, rendered: { subject: "Receipt", preheader: "", html: "<p>x</p>", text: "x" }, date: new Date(0) });
    expect(parseMime(e.raw).headers["List-Unsubscribe"]).toBeUndefined();
  });
});

describe("encoding helpers", () => {
  it("splits encoded words at 75 characters without breaking characters", () => {
    const encoded = encodeHeaderWords("☕".repeat(40));
    for (const word of encoded.split("\r\n ")) expect(word.length).toBeLessThanOrEqual(75);
    expect(encodeHeaderWords("Plain ASCII")).toBe("Plain ASCII");
  });
  it("quoted-printable escapes '=' and non-ASCII, soft-breaks long lines", () => {
    expect(quotedPrintable("a=b ü")).toBe("a=3Db =C3=BC");
    expect(quotedPrintable("x ")).toBe("x=20");
    for (const line of quotedPrintable("y".repeat(300)).split("\r\n")) expect(line.length).toBeLessThanOrEqual(76);
  });
  it("quoted-printable decodes back to the text on random input, lines within 76 characters", () => {
    // RFC 2045 decoding: soft breaks vanish, =XX is a byte, CRLF is a line end.
    const decode = (qp: string) => {
      const bytes: number[] = [];
      const body = qp.replace(/=\r\n/g, "");
      for (let i = 0; i < body.length; i++) {
        if (body[i] === "=") {
          bytes.push(parseInt(body.slice(i + 1, i + 3), 16));
          i += 2;
        } else bytes.push(body.charCodeAt(i));
      }
      return new TextDecoder().decode(new Uint8Array(bytes));
    };
    const alphabet = ["a", "Z", "0", " ", "\t", "=", ".", "<", ">", "\n", "\r\n", "ü", "€", "😀", "~", "!", '"'];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let run = 0; run < 300; run++) {
      const text = Array.from({ length: Math.floor(random() * 400) }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      const qp = quotedPrintable(text);
      expect(decode(qp)).toBe(text.replace(/\r\n|\n/g, "\r\n"));
      for (const line of qp.split("\r\n")) {
        expect(line.length).toBeLessThanOrEqual(76);
        expect(line).toMatch(/^[\x21-\x7e \t]*$/);
        expect(line).not.toMatch(/[ \t]$/); // trailing white space is encoded
      }
    }
  });
  it("folds long headers", () => {
    expect(foldHeader("List-Unsubscribe", "<https://a>, <mailto:b@c>")).toBe("<https://a>, <mailto:b@c>");
  });
});

describe("links", () => {
  it("wraps http(s) links with tracking, adds UTM, leaves the rest alone", async () => {
    const html = `<a href="https://shop.example/a?x=1&amp;y=2">A</a> <a class="btn" href='http://shop.example/b'>B</a>
      <a href="mailto:hi@shop.example">mail</a> <a href="#top">top</a> <a href="https://tern.example/u/tok">unsub</a>
      <a data-tern-notrack href="https://shop.example/private">p</a> <a href="https://shop.example/c?utm_source=own">c</a>`;
    const seen: [string, number][] = [];
    const out = await rewriteLinks(html, {
      click: async (url, i) => (seen.push([url, i]), `https://tern.example/c/T${i}`),
      utm: { source: "tern", medium: "email", campaign: "spring-sale" },
      skip: ["https://tern.example/u/tok"],
    });
    expect(seen).toEqual([
      ["https://shop.example/a?x=1&y=2&utm_source=tern&utm_medium=email&utm_campaign=spring-sale", 0],
      ["http://shop.example/b?utm_source=tern&utm_medium=email&utm_campaign=spring-sale", 1],
      ["https://shop.example/c?utm_source=own", 2],
    ]);
    expect(out).toContain(`href="https://tern.example/c/T0"`);
    expect(out).toContain(`class="btn" href='https://tern.example/c/T1'`);
    expect(out).toContain(`href="mailto:hi@shop.example"`);
    expect(out).toContain(`href="https://tern.example/u/tok"`);
    expect(out).toContain(`href="https://shop.example/private"`);
  });
  it("appends the pixel before </body>", () => {
    expect(withPixel("<html><body><p>x</p></body></html>", "https://t/o/1")).toMatch(/<p>x<\/p><img src="https:\/\/t\/o\/1"[^>]*><\/body>/);
    expect(withUtm("not a url", { source: "x" })).toBe("not a url");
  });
});
