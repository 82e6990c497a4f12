/**
 * Showing an email as a recipient sees it: the HTML in a sandboxed frame at desktop or phone width (scaled down
 * when the column is narrower), the inbox line with sender, subject and preheader, and RFC 2047 header decoding.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { initials } from "./format";
import { Segmented, cx } from "./ui";

export type Device = "desktop" | "mobile";
export const deviceWidth: Record<Device, number> = { desktop: 640, mobile: 375 };

export function DeviceToggle({ value, onValue }: { value: Device; onValue: (d: Device) => void }) {
  return (
    <Segmented
      label="Preview width"
      value={value}
      onValue={(v) => onValue(v as Device)}
      options={[
        { value: "desktop", label: "Desktop" },
        { value: "mobile", label: "Mobile" },
      ]}
    />
  );
}

/**
 * The email's HTML in an iframe with `srcdoc` and a sandbox: the HTML is untrusted, so no scripts, no forms,
 * no access to the admin's origin. `allowLinks` lets links open in a new tab (the outbox, where a click is a
 * real tracked click); otherwise links do nothing.
 */
export function EmailFrame({ html, device, title, allowLinks, dimmed }: { html: string; device: Device; title: string; allowLinks?: boolean; dimmed?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const el = box.current!;
    const measure = () => setSize({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const width = deviceWidth[device];
  const scale = size.width ? Math.min(1, (size.width - 2) / width) : 1;
  const doc = allowLinks ? withBaseTarget(html) : html;
  return (
    <div class={cx("email-frame", `is-${device}`, dimmed && "is-dimmed")} ref={box}>
      <div class="email-frame-inner" style={{ width: `${width * scale}px`, height: `${size.height}px` }}>
        <iframe
          title={title}
          srcdoc={doc}
          sandbox={allowLinks ? "allow-popups allow-popups-to-escape-sandbox" : ""}
          referrerpolicy="no-referrer"
          style={{ width: `${width}px`, height: `${scale ? size.height / scale : size.height}px`, transform: scale < 1 ? `scale(${scale})` : undefined }}
        />
      </div>
      {scale < 1 && size.width > 0 && <span class="email-frame-scale">{Math.round(scale * 100)}%</span>}
    </div>
  );
}

/** Links in the framed email open in a new tab instead of inside the frame. */
function withBaseTarget(html: string): string {
  const base = '<base target="_blank">';
  if (/<head[^>]*>/i.test(html)) return html.replace(/<head[^>]*>/i, (m) => m + base);
  return base + html;
}

/** How the email appears in a mailbox list: sender, subject and the preheader after it. */
export function InboxLine({ fromName, fromEmail, subject, preheader, when = "now", aside }: { fromName: string; fromEmail?: string; subject: string; preheader: string; when?: string; aside?: ComponentChildren }) {
  return (
    <div class="inbox-line" data-testid="inbox-line">
      <span class="avatar inbox-avatar" aria-hidden="true">
        {initials(fromName || fromEmail || "?")}
      </span>
      <div class="inbox-text">
        <div class="inbox-top">
          <strong class="inbox-from" title={fromEmail}>
            {fromName || fromEmail || "No sender set"}
          </strong>
          <span class="inbox-when">{when}</span>
        </div>
        <div class="inbox-subject">
          <strong>{subject || <span class="muted">(no subject)</span>}</strong>
          {preheader && <span class="inbox-preheader"> – {preheader}</span>}
        </div>
      </div>
      {aside}
    </div>
  );
}

const encodedWordRe = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;

/**
 * Decodes RFC 2047 encoded words ("=?UTF-8?B?…?=") in a header value for display.
 * @example decodeHeader("=?UTF-8?Q?Caf=C3=A9?=") // "Café"
 */
export function decodeHeader(value: string): string {
  return value.replace(/\?=\s+=\?/g, "?==?").replace(encodedWordRe, (whole, charset: string, enc: string, text: string) => {
    try {
      const bytes =
        enc.toUpperCase() === "B"
          ? Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
          : Uint8Array.from(text.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})|[\s\S]/g, (m, hex: string | undefined) => (hex ? String.fromCharCode(parseInt(hex, 16)) : m)), (c) => c.charCodeAt(0));
      return new TextDecoder(charset).decode(bytes);
    } catch {
      return whole;
    }
  });
}

/** "Name <address>" → its parts (for the inbox line of a sent message). */
export function parseAddress(value: string): { name: string; email: string } {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(value);
  return m ? { name: m[1]!.trim(), email: m[2]!.trim() } : { name: "", email: value.trim() };
}
