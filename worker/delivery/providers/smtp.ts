/**
 * SMTP submission over `cloudflare:sockets` (RFC 5321): EHLO, STARTTLS (RFC 3207) or implicit TLS, AUTH PLAIN
 * (RFC 4616) or LOGIN, whichever the server offers, then MAIL FROM / RCPT TO / DATA with the raw MIME
 * dot-stuffed, and QUIT. 4xx replies, timeouts and dropped connections are retryable; 5xx replies are final.
 * The provider message id is the queue id of the final 250 reply ("queued as X", "id=X", SES's "Ok X"), if any.
 *
 * Workers cannot connect to port 25 (use 587 with STARTTLS or 465 with TLS), nor to loopback or private
 * addresses once deployed; security "none" exists for local relays and tests.
 */
import { connect } from "cloudflare:sockets";
import type { ProviderContext } from "./index";
import { base64Utf8, errorText, permanent, PROVIDER_TIMEOUT_MS, type OutgoingEmail, type Provider, type SendResult, type TimeoutOption } from "./types";

interface Reply {
  code: number;
  lines: string[];
}

/** A reply the server gave at `step` that ends the transaction. */
class SmtpReplyError extends Error {
  constructor(
    readonly step: string,
    readonly reply: Reply,
  ) {
    super(`${step}: ${reply.code} ${reply.lines.join(" ").slice(0, 300)}`);
  }
}

/** A local decision that no retry can change (missing extension, refused downgrade). */
class SmtpConfigError extends Error {}

const replyLineRe = /^(\d{3})([ -])(.*)$/;
const loopbackRe = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i;

export const smtp = ({ settings, env, timeoutMs = PROVIDER_TIMEOUT_MS }: ProviderContext & TimeoutOption): Provider => ({
  name: "smtp",
  async send(email) {
    const { host, port, security, username } = settings.smtp;
    if (!host) return permanent("the SMTP host is not set (Settings → Sending → SMTP)");
    if (port === 25) return permanent("Workers cannot connect to port 25: use 587 (STARTTLS) or 465 (TLS)");
    if (username && !env.SMTP_PASSWORD) return permanent("SMTP_PASSWORD is not set (wrangler secret put SMTP_PASSWORD)");
    if (username && security === "none" && !loopbackRe.test(host)) {
      return permanent("refusing to send the SMTP password without TLS: set security to starttls or tls");
    }
    let session: Session | undefined;
    try {
      session = new Session(host, port, security, timeoutMs);
      return await session.deliver(email, username ? { username, password: env.SMTP_PASSWORD! } : null);
    } catch (err) {
      if (err instanceof SmtpReplyError) {
        return { ok: false, retryable: err.reply.code < 500, error: err.message };
      }
      if (err instanceof SmtpConfigError) return permanent(err.message);
      return { ok: false, retryable: true, error: `SMTP ${host}:${port}: ${errorText(err)}` };
    } finally {
      await session?.close();
    }
  },
});

class Session {
  private socket: Socket;
  private reader: ReadableStreamDefaultReader<Uint8Array>;
  private writer: WritableStreamDefaultWriter<Uint8Array>;
  private decoder = new TextDecoder();
  private buffer = "";
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly host: string,
    port: number,
    private readonly security: "starttls" | "tls" | "none",
    private readonly timeoutMs: number,
  ) {
    const secureTransport = security === "tls" ? "on" : security === "starttls" ? "starttls" : "off";
    this.socket = quiet(connect({ hostname: host, port }, { secureTransport, allowHalfOpen: false }));
    this.reader = this.socket.readable.getReader();
    this.writer = this.socket.writable.getWriter();
  }

  async deliver(email: OutgoingEmail, auth: { username: string; password: string } | null): Promise<SendResult> {
    await this.expect("greeting", null, [220]);
    const helloName = email.from.email.split("@")[1] || "localhost";
    let extensions = await this.hello(helloName);

    if (this.security === "starttls") {
      if (!extensions.has("STARTTLS")) throw new SmtpConfigError(`${this.host} does not offer STARTTLS; refusing to continue without TLS`);
      await this.expect("STARTTLS", "STARTTLS", [220]);
      this.upgrade();
      extensions = await this.hello(helloName); // RFC 3207 §4.2: forget what was said before TLS
    }

    if (auth) await this.authenticate(extensions, auth);

    await this.expect("MAIL FROM", `MAIL FROM:<${email.from.email}>`, [250]);
    await this.expect("RCPT TO", `RCPT TO:<${email.to.email}>`, [250, 251]);
    await this.expect("DATA", "DATA", [354]);
    await this.write(dotStuff(email.raw));
    const accepted = await this.expect("end of data", null, [250]);
    await this.command("QUIT").catch(() => undefined); // the message is accepted; a rude goodbye changes nothing
    return { ok: true, providerMessageId: queueId(accepted) };
  }

  /** EHLO, falling back to HELO for servers without ESMTP; returns the extension keywords (and AUTH's list). */
  private async hello(name: string): Promise<Map<string, string>> {
    let reply = await this.command(`EHLO ${name}`);
    if (reply.code >= 500) reply = await this.expect("HELO", `HELO ${name}`, [250]);
    else if (reply.code !== 250) throw new SmtpReplyError("EHLO", reply);
    const extensions = new Map<string, string>();
    for (const line of reply.lines.slice(1)) {
      const [keyword, ...rest] = line.trim().split(/[\s=]+/);
      if (keyword) extensions.set(keyword.toUpperCase(), rest.join(" ").toUpperCase());
    }
    return extensions;
  }

  private async authenticate(extensions: Map<string, string>, { username, password }: { username: string; password: string }) {
    const offered = (extensions.get("AUTH") ?? "").split(/\s+/);
    if (offered.includes("PLAIN")) {
      // the command line carries the password: never part of an error message, only the server's reply is
      await this.expect("AUTH PLAIN", `AUTH PLAIN ${base64Utf8(`\0${username}\0${password}`)}`, [235]);
    } else if (offered.includes("LOGIN")) {
      await this.expect("AUTH LOGIN", "AUTH LOGIN", [334]);
      await this.expect("AUTH LOGIN username", base64Utf8(username), [334]);
      await this.expect("AUTH LOGIN password", base64Utf8(password), [235]);
    } else {
      throw new SmtpConfigError(`${this.host} offers no AUTH PLAIN or LOGIN (offered: ${offered.join(" ") || "none"})`);
    }
  }

  /** Swaps the plain socket for its TLS successor; anything the server sent before the handshake is dropped. */
  private upgrade() {
    this.reader.releaseLock();
    this.writer.releaseLock();
    this.socket = quiet(this.socket.startTls());
    this.reader = this.socket.readable.getReader();
    this.writer = this.socket.writable.getWriter();
    this.buffer = "";
    this.decoder = new TextDecoder();
  }

  private async expect(step: string, line: string | null, codes: number[]): Promise<Reply> {
    const reply = line === null ? await this.readReply() : await this.command(line);
    if (!codes.includes(reply.code)) throw new SmtpReplyError(step, reply);
    return reply;
  }

  private async command(line: string): Promise<Reply> {
    await this.write(`${line}\r\n`);
    return this.readReply();
  }

  private write(text: string): Promise<void> {
    return this.withTimeout(this.writer.write(this.encoder.encode(text)));
  }

  /** Reads one reply, all its "250-..." continuation lines up to the final "250 ...". */
  private async readReply(): Promise<Reply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.readLine();
      const m = replyLineRe.exec(line);
      if (!m) throw new Error(`malformed reply line: ${line.slice(0, 100)}`);
      lines.push(m[3]!);
      if (m[2] === " ") return { code: Number(m[1]), lines };
    }
  }

  private async readLine(): Promise<string> {
    for (;;) {
      const end = this.buffer.indexOf("\n");
      if (end !== -1) {
        const line = this.buffer.slice(0, end).replace(/\r$/, "");
        this.buffer = this.buffer.slice(end + 1);
        return line;
      }
      const { value, done } = await this.withTimeout(this.reader.read());
      if (done) throw new Error("connection closed by the server");
      this.buffer += this.decoder.decode(value, { stream: true });
      if (this.buffer.length > 64 * 1024) throw new Error("reply too long");
    }
  }

  private async withTimeout<T>(promise: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close() {
    await this.socket.close().catch(() => undefined);
  }
}

/** Failures surface through reads and writes; the socket's own promises must not reject unobserved. */
function quiet(socket: Socket): Socket {
  socket.opened.catch(() => undefined);
  socket.closed.catch(() => undefined);
  return socket;
}

/** CRLF line ends, a "." doubled at the start of every line (RFC 5321 §4.5.2), then the terminating ".". */
export function dotStuff(raw: string): string {
  const body = `\r\n${raw.replace(/\r\n|\r|\n/g, "\r\n")}`.replace(/\r\n\./g, "\r\n..").slice(2);
  return `${body}${body.endsWith("\r\n") ? "" : "\r\n"}.\r\n`;
}

/** The queue id in the final 250 reply, as Postfix, Exim, Amazon SES and others phrase it. */
export function queueId(reply: Reply): string | null {
  const text = reply.lines.join(" ");
  const m = /queued as\s+<?([^\s<>]+?)>?(?:\s|$)/i.exec(text) ?? /\bid=<?([^\s<>]+?)>?(?:\s|$)/i.exec(text) ?? /^(?:\d\.\d\.\d\s+)?ok\s+<?([\w.@-]{8,})>?$/i.exec(text.trim());
  return m ? m[1]! : null;
}
