/** Small server-rendered pages for recipients (unsubscribe, view in browser errors): no JavaScript needed. */
import { escapeHtml as esc } from "../core/html-text";
import type { Settings } from "../core/settings";

export { esc };

/** A complete HTML page in the store's colours. `body` must already be escaped. */
export function page(title: string, body: string, settings: Settings | null): string {
  const store = settings?.store;
  const color = store && /^#[0-9a-f]{6}$/i.test(store.brandColor) ? store.brandColor : "#2563eb";
  const brand = store?.logoUrl
    ? `<img src="${esc(store.logoUrl)}" alt="${esc(store.name)}" height="36">`
    : `<strong>${esc(store?.name ?? "")}</strong>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title>
<style>
  :root{--brand:${color}}
  *{box-sizing:border-box}
  body{margin:0;font:16px/1.55 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:#f4f5f7;color:#1f2937}
  main{max-width:520px;margin:48px auto;padding:0 16px}
  .brand{text-align:center;margin-bottom:20px;font-size:18px}
  .card{background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:28px}
  h1{font-size:22px;margin:0 0 12px}
  p{margin:0 0 14px;color:#4b5563}
  button,.button{display:inline-block;border:0;border-radius:8px;padding:11px 18px;font:inherit;font-weight:600;cursor:pointer;background:var(--brand);color:#fff;text-decoration:none}
  button.secondary{background:#eef0f3;color:#1f2937}
  button:focus-visible,a:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}
  form{margin:0}
  .row{display:flex;gap:10px;flex-wrap:wrap;margin-top:8px}
  .muted{font-size:13px;color:#6b7280;margin-top:18px}
  .notice{background:#ecfdf5;color:#065f46;border-radius:8px;padding:10px 14px;margin:0 0 16px}
  .error{background:#fef2f2;color:#991b1b;border-radius:8px;padding:10px 14px;margin:0 0 16px}
  fieldset{border:0;border-top:1px solid #e5e7eb;margin:0;padding:18px 0 6px}
  legend{font-weight:600;padding:0 0 6px;color:#111827}
  label{display:block;margin:0 0 10px;color:#374151}
  label small{display:block;color:#6b7280;font-size:13px;margin-left:26px}
  input[type=checkbox],input[type=radio]{width:18px;height:18px;margin:0 8px 0 0;vertical-align:-3px;accent-color:var(--brand)}
  input[type=text],input[type=date],select{display:block;width:100%;margin-top:4px;padding:9px 11px;border:1px solid #d1d5db;border-radius:8px;font:inherit;background:#fff}
  input:focus-visible,select:focus-visible{outline:3px solid #93c5fd;outline-offset:1px}
  .grid{display:grid;grid-template-columns:1fr 1fr;gap:0 12px}
  .section{border-top:1px solid #e5e7eb;margin-top:22px;padding-top:18px}
  a{color:var(--brand)}
</style></head>
<body><main><div class="brand">${brand}</div><div class="card">${body}</div></main></body></html>`;
}

export function htmlResponse(html: string, status = 200): Response {
  return new Response(html, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy": "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      "Referrer-Policy": "no-referrer",
    },
  });
}
