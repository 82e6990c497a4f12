/** Plain-text alternative of an HTML email: readable text with links spelled out. */

const named: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", middot: "·", copy: "©", reg: "®", hellip: "…",
  mdash: "—", ndash: "–", lsquo: "‘", rsquo: "’", ldquo: "“", rdquo: "”", bull: "•", euro: "€", pound: "£", zwnj: "", zwj: "",
};

/** Text made safe inside HTML elements and quoted attributes (the five characters that matter, as numeric references). */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] === "#") {
      const n = code[1] === "x" || code[1] === "X" ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      if (n === 847 || n === 8204) return ""; // invisible preheader padding
      return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : "";
    }
    return named[code.toLowerCase()] ?? whole;
  });
}

const attrPatterns = new Map<string, RegExp>();
const attr = (tag: string, name: string) => {
  let re = attrPatterns.get(name);
  if (!re) attrPatterns.set(name, (re = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, "i")));
  return re.exec(tag);
};
const attrValue = (tag: string, name: string) => {
  const m = attr(tag, name);
  return m ? decodeEntities(m[2] ?? m[3] ?? m[4] ?? "") : null;
};

/** Line breaks, list items, block ends, cell ends, images (their alt text), and any other tag (dropped). */
const TAGS = /(<br\s*\/?>)|(<li\b[^>]*>)|(<\/(?:p|div|h[1-6]|tr|table|ul|ol|blockquote)>)|(<\/(?:td|th)>)|(<img\b[^>]*>)|<[^>]+>/gi;

export function htmlToText(html: string): string {
  let s = html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(head|style|script|title)\b[\s\S]*?<\/\1>/gi, "")
    // elements hidden from readers (the preheader) stay hidden in the text part
    .replace(/<div\b[^>]*display\s*:\s*none[^>]*>[\s\S]*?<\/div>/gi, "");
  s = s.replace(/<a\b([^>]*)>([\s\S]*?)<\/a>/gi, (_, attrs: string, inner: string) => {
    const href = attrValue(` ${attrs}`, "href");
    const label = decodeEntities(inner.replace(/<img\b[^>]*>/gi, (img) => attrValue(img, "alt") ?? "").replace(/<[^>]+>/g, "")).replace(/\s+/g, " ").trim();
    if (!href || !/^(https?:|mailto:)/i.test(href)) return label;
    if (!label || label === href) return href;
    return `${label} (${href})`;
  });
  // Every remaining tag in one pass (this runs for every email sent without a text part of its own).
  s = s.replace(TAGS, (_tag, br?: string, li?: string, block?: string, cell?: string, img?: string) =>
    br ? "\n" : li ? "\n- " : block ? "\n\n" : cell ? "\n" : img ? (attrValue(img, "alt") ?? "") : "",
  );
  return decodeEntities(s)
    .replace(/[ \t\u00a0]+/g, " ")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim() + "\n";
}
