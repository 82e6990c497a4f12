/**
 * What an owner pastes into a site: the script (`/forms/ID.js`, built here per form and cached) and the plain
 * HTML form that works without JavaScript. The script renders inside a Shadow DOM, so the site's CSS and the
 * form's CSS never meet; it builds every node with createElement/textContent, never innerHTML, so nothing in a
 * definition can inject markup.
 */
import { HONEYPOT, type PublicForm } from "../core/forms";
import { escapeHtml as esc } from "../core/html-text";


// The runtime, as plain modern JS. `C` is the public form config, `B` the Tern origin. Kept small on purpose:
// the gzipped size is measured by test/unit/forms-snippet.test.ts.
const RUNTIME = String.raw`(C, B, CSS) => {
  const d = document, W = window, id = C.id, KEY = "tern-form-" + id, me = d.currentScript, uid = "t" + id + "-";
  const now = Date.now;
  const hidden = () => { try { return +localStorage.getItem(KEY) > now() } catch (e) { return false } };
  const hideFor = (days) => { try { const t = now() + days * 864e5; if (days && t > +localStorage.getItem(KEY)) localStorage.setItem(KEY, t) } catch (e) {} };
  if (C.mode != "inline" && hidden()) return;
  if (C.origins.indexOf(location.origin) < 0) console.warn("Tern form " + id + ": add " + location.origin + " to the form's allowed origins, or submissions are refused");

  const h = (tag, attrs, ...kids) => {
    const e = d.createElement(tag);
    for (const k in attrs) {
      const v = attrs[k];
      if (v == null || v === false) continue;
      if (k.slice(0, 2) == "on") e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of kids.flat()) if (c != null && c !== false) e.append(c);
    return e;
  };

  const errs = {}, inputs = {};
  const AC = { email: "email", first_name: "given-name", last_name: "family-name", phone: "tel", birthday: "bday" };
  const TYPE = { email: "email", number: "number", date: "date", tel: "tel" };
  const errEl = (k) => (errs[k] = h("p", { id: uid + k + "-e", class: "err" }));
  const field = (f) => {
    const fid = uid + f.key, a = { id: fid, name: f.key, "aria-describedby": uid + f.key + "-e", "aria-required": f.required ? "true" : null };
    let i;
    if (f.type == "checkbox") {
      i = inputs[f.key] = h("input", { ...a, type: "checkbox" });
      return h("div", { class: "f" }, h("label", { class: "check", for: fid }, i, h("span", {}, f.label)), errEl(f.key));
    }
    if (f.type == "select") i = h("select", a, h("option", { value: "" }, f.placeholder || "Choose…"), f.options.map((o) => h("option", { value: o.value }, o.label)));
    else i = h("input", { ...a, type: TYPE[f.type] || "text", placeholder: f.placeholder || null, autocomplete: AC[f.key] || null });
    inputs[f.key] = i;
    return h("div", { class: "f" }, h("label", { for: fid }, f.label, f.required ? h("span", { "aria-hidden": "true" }, " *") : null), i, errEl(f.key));
  };

  const boxes = C.topics.length > 1 ? C.topics.map((t) => h("input", { type: "checkbox", name: "topics", value: t.key, checked: t.preselected })) : [];
  const hp = h("input", { type: "text", name: "${HONEYPOT}", tabindex: "-1", autocomplete: "off" });
  const status = h("p", { class: "status", role: "status" });
  const btn = h("button", { type: "submit", class: "go" }, C.buttonText);
  const cap = C.turnstile ? h("div", { slot: "captcha" }) : null;
  const form = h("form", { novalidate: true, "aria-labelledby": C.title ? uid + "title" : null },
    C.fields.map(field),
    boxes.length ? h("fieldset", { class: "f", "aria-describedby": uid + "topics-e" }, h("legend", {}, C.topicsLabel),
      C.topics.map((t, n) => h("label", { class: "check" }, boxes[n], h("span", {}, t.label))), errEl("topics")) : null,
    h("div", { class: "hp", "aria-hidden": "true" }, h("label", {}, "Leave empty", hp)),
    cap ? h("slot", { name: "captcha" }) : null,
    C.consentText || C.privacyUrl ? h("p", { class: "consent" }, C.consentText, C.privacyUrl ? [" ", h("a", { href: C.privacyUrl, target: "_blank", rel: "noopener" }, "Privacy policy")] : null) : null,
    btn, status);

  let stamp, t0, token = "", last, shown;
  const getStamp = () => stamp || ((t0 = now()), (stamp = fetch(B + "/forms/" + id + "/stamp", { credentials: "omit" }).then((r) => r.json()).then((j) => j.stamp).catch(() => ((stamp = 0), ""))));
  const captcha = () => {
    if (!cap) return;
    const go = () => W.turnstile.render(cap, { sitekey: C.turnstile, callback: (t) => (token = t), "expired-callback": () => (token = "") });
    if (W.turnstile) return go();
    W.__ternTs = W.__ternTs || new Promise((r) => d.head.append(h("script", { src: "https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit", async: true, onload: r })));
    W.__ternTs.then(go);
  };
  const say = (text, bad) => { status.textContent = text; status.className = "status" + (bad ? " bad" : ""); };
  const done = (j) => {
    hideFor(365);
    if (j.redirect) return void (location.href = j.redirect);
    const ok = h("p", { class: "ok", tabindex: "-1", role: "status" }, j.message || "Thanks!");
    form.replaceWith(ok);
    ok.focus();
  };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (btn.disabled) return;
    say("");
    for (const k in errs) errs[k].textContent = "";
    for (const k in inputs) inputs[k].removeAttribute("aria-invalid");
    const body = { email: inputs.email.value, fields: {}, page_url: location.href, ${HONEYPOT}: hp.value };
    for (const f of C.fields) if (f.key != "email") body.fields[f.key] = f.type == "checkbox" ? inputs[f.key].checked : inputs[f.key].value;
    if (boxes.length) body.topics = boxes.filter((b) => b.checked).map((b) => b.value);
    if (cap) body.turnstile_token = token;
    btn.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      body.stamp = await getStamp();
      // the server takes a post within 2 s of the render for a bot: a quick person just waits a moment
      await new Promise((r) => setTimeout(r, t0 + 2100 - now()));
      const r = await fetch(B + "/forms/" + id, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), credentials: "omit" });
      const j = await r.json().catch(() => ({}));
      if (r.ok) return done(j);
      const err = j.error || {};
      let first, other = 0;
      for (const i of err.issues || []) {
        const k = i.path.replace(/^fields\./, "");
        if (!errs[k]) { other = 1; continue; }
        errs[k].textContent = i.message;
        if (inputs[k]) inputs[k].setAttribute("aria-invalid", "true");
        first = first || inputs[k] || boxes[0];
      }
      if (!first || other) say(r.status == 429 ? "Too many attempts. Please wait a minute and try again." : err.message || "Something went wrong. Please try again.", 1);
      if (first) first.focus();
      if (/^(form_expired|stamp_required)$/.test(err.code)) stamp = 0;
      if (cap && W.turnstile) W.turnstile.reset(cap);
    } catch (x) {
      say("We could not reach the server. Please try again.", 1);
    } finally {
      btn.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });

  const host = h("tern-form", { "data-form": id });
  const root = host.attachShadow({ mode: "open" });
  const card = h("div", { class: "card" + (C.layout == "inline" ? " inl" : "") },
    C.title ? h("h2", { id: uid + "title" }, C.title) : null, C.description ? h("p", { class: "desc" }, C.description) : null, form);
  root.append(h("style", {}, CSS));
  if (cap) host.append(cap);

  if (C.mode == "inline") {
    const start = () => {
      const target = d.querySelector('[data-tern-form="' + id + '"]');
      if (target) target.append(host);
      else if (me && me.parentNode) me.after(host);
      else d.body.append(host);
      root.append(card);
      getStamp();
      captcha();
    };
    return d.readyState == "loading" ? d.addEventListener("DOMContentLoaded", start) : start();
  }

  const popup = C.mode == "popup";
  const close = () => {
    host.remove();
    d.removeEventListener("keydown", onKey, true);
    hideFor(C.hide);
    if (popup && last && last.focus) last.focus();
  };
  const dialog = h("div", { class: "dlg " + C.mode, role: "dialog", "aria-modal": popup ? "true" : null, "aria-labelledby": C.title ? uid + "title" : null, "aria-label": C.title ? null : "Sign up" },
    h("button", { type: "button", class: "x", "aria-label": "Close", onclick: close }, "×"), card);
  const wrap = popup ? h("div", { class: "back", onclick: (e) => e.target == wrap && close() }, dialog) : dialog;
  const onKey = (e) => {
    if (e.key == "Escape") return close();
    if (e.key != "Tab" || !popup) return;
    const f = [...dialog.querySelectorAll("a[href],button,input,select")].filter((x) => !x.disabled && x.tabIndex >= 0);
    const a = f[0], z = f[f.length - 1], cur = root.activeElement;
    if (e.shiftKey ? cur == a || !cur : cur == z) { (e.shiftKey ? z : a).focus(); e.preventDefault(); }
  };
  const show = () => {
    if (shown) return;
    shown = 1;
    last = d.activeElement;
    root.append(wrap);
    d.body.append(host);
    d.addEventListener("keydown", onKey, true);
    getStamp();
    captcha();
    if (popup) (inputs.email || dialog).focus();
  };
  const arm = () => {
    if (C.delay) setTimeout(show, C.delay * 1000);
    if (C.scroll) {
      const s = () => {
        const el = d.documentElement;
        if (((W.scrollY + W.innerHeight) / el.scrollHeight) * 100 >= C.scroll) { W.removeEventListener("scroll", s); show(); }
      };
      W.addEventListener("scroll", s, { passive: true });
      s();
    }
    if (C.exit) d.addEventListener("mouseout", (e) => { if (!e.relatedTarget && e.clientY <= 0) show(); });
    if (!C.delay && !C.scroll && !C.exit) show();
  };
  d.readyState == "loading" ? d.addEventListener("DOMContentLoaded", arm) : arm();
}`.replace(/^\s+/gm, ""); // indentation is for reading here, not for every page view

function css(f: PublicForm): string {
  const a = f.accent;
  return `:host{all:initial;display:block}
*{box-sizing:border-box}
.card{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2937;background:#fff;border:1px solid #e5e7eb;border-radius:12px;padding:20px;max-width:480px;text-align:left}
h2{margin:0 0 6px;font-size:20px;line-height:1.3;color:#111827}
.desc{margin:0 0 14px;color:#4b5563}
.f{margin:0 0 12px;border:0;padding:0;min-width:0}
label,legend{display:block;font-weight:600;margin:0 0 4px;padding:0}
input,select{display:block;width:100%;font:inherit;color:inherit;padding:9px 11px;border:1px solid #9ca3af;border-radius:8px;background:#fff;margin:0}
.check{display:flex;gap:8px;align-items:flex-start;font-weight:400}
.check input{width:auto;margin:4px 0 0}
:focus-visible{outline:3px solid ${a};outline-offset:2px}
[aria-invalid=true]{border-color:#b91c1c}
.err,.status.bad{color:#b91c1c;font-size:14px;margin:4px 0 0}
.err:empty,.status:empty{display:none}
.consent{font-size:12px;color:#4b5563;margin:8px 0 12px}
.consent a{color:inherit}
.go{display:block;width:100%;padding:11px 16px;border:0;border-radius:8px;background:${a};color:${f.accentText};font:inherit;font-weight:600;cursor:pointer}
.go:disabled{opacity:.6;cursor:progress}
.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
.status{margin:10px 0 0}
.ok{margin:0;font-size:16px;outline:0}
.inl form{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end}
.inl .f{flex:1 1 180px;margin:0}
.inl .go{width:auto}
.inl .consent,.inl .status,.inl fieldset{flex-basis:100%;order:1}
.back{position:fixed;inset:0;background:rgba(17,24,39,.55);display:flex;align-items:center;justify-content:center;padding:16px;z-index:2147483647}
.dlg{position:relative}
.dlg .card{box-shadow:0 20px 50px rgba(0,0,0,.25);max-height:calc(100vh - 32px);overflow:auto;padding-top:28px}
.slide_in{position:fixed;right:16px;bottom:16px;z-index:2147483647;width:min(380px,calc(100vw - 32px))}
@media (prefers-reduced-motion:no-preference){.slide_in{animation:in .3s ease-out}@keyframes in{from{transform:translateY(24px);opacity:0}}}
.x{position:absolute;top:6px;right:6px;width:32px;height:32px;border:0;border-radius:16px;background:transparent;font:22px/1 sans-serif;color:#374151;cursor:pointer;z-index:1}`;
}

/** JSON safe to splice into a script: no `</script>`, no line separators JS would choke on. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

/** The complete script for one form, served from `base` (the Tern origin the browser reaches). */
export function buildSnippet(form: PublicForm, base: string): string {
  return `/* Tern signup form ${form.id} */\n(${RUNTIME})(${scriptJson(form)}, ${scriptJson(base)}, ${scriptJson(css(form))});\n`;
}

// Built scripts per form version and origin: a definition changes rarely, and building costs a few regexes.
const cache = new Map<string, string>();

export function cachedSnippet(form: PublicForm, base: string, version: string | number): string {
  const key = `${form.id}:${version}:${base}`;
  let js = cache.get(key);
  if (!js) {
    js = buildSnippet(form, base);
    if (cache.size >= 200) cache.delete(cache.keys().next().value!);
    cache.set(key, js);
  }
  return js;
}

/** The script tag to paste (an inline form renders where `<div data-tern-form>` is, else after the tag). */
export function scriptTag(base: string, id: number, mode: PublicForm["mode"]): string {
  const tag = `<script src="${esc(base)}/forms/${id}.js" async></script>`;
  return mode === "inline" ? `<div data-tern-form="${id}"></div>\n${tag}` : tag;
}

/**
 * The form as plain HTML, for sites without JavaScript and for the hosted page. It posts urlencoded to
 * /forms/ID; the answer is a redirect back to the page (when its origin is allowed) or a Tern-hosted page.
 */
export function plainForm(form: PublicForm, base: string, extra: { stamp?: string } = {}): string {
  const id = (key: string) => `tern-${form.id}-${key}`;
  const types: Record<string, string> = { email: "email", number: "number", date: "date", tel: "tel", text: "text" };
  const auto: Record<string, string> = { email: "email", first_name: "given-name", last_name: "family-name", phone: "tel", birthday: "bday" };
  const req = (r: boolean) => (r ? " required" : "");
  const fields = form.fields.map((f) => {
    const label = `<label for="${id(f.key)}">${esc(f.label)}</label>`;
    if (f.type === "checkbox") return `<p><label><input type="checkbox" id="${id(f.key)}" name="${f.key}" value="on"${req(f.required)}> ${esc(f.label)}</label></p>`;
    if (f.type === "select") {
      const options = f.options.map((o) => `<option value="${esc(o.value)}">${esc(o.label)}</option>`).join("");
      return `<p>${label}<br><select id="${id(f.key)}" name="${f.key}"${req(f.required)}><option value="">${esc(f.placeholder || "Choose…")}</option>${options}</select></p>`;
    }
    const placeholder = f.placeholder ? ` placeholder="${esc(f.placeholder)}"` : "";
    const ac = auto[f.key] ? ` autocomplete="${auto[f.key]}"` : "";
    return `<p>${label}<br><input type="${types[f.type] ?? "text"}" id="${id(f.key)}" name="${f.key}"${placeholder}${ac}${req(f.required)}></p>`;
  });
  const topics =
    form.topics.length > 1
      ? `<fieldset><legend>${esc(form.topicsLabel)}</legend>${form.topics
          .map((t) => `<label><input type="checkbox" name="topics" value="${esc(t.key)}"${t.preselected ? " checked" : ""}> ${esc(t.label)}</label><br>`)
          .join("")}</fieldset>`
      : "";
  const consent = form.consentText || form.privacyUrl
    ? `<p><small>${esc(form.consentText)}${form.privacyUrl ? ` <a href="${esc(form.privacyUrl)}">Privacy policy</a>` : ""}</small></p>`
    : "";
  const turnstile = form.turnstile
    ? `<div class="cf-turnstile" data-sitekey="${esc(form.turnstile)}"></div>\n<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script>`
    : "";
  return [
    `<form action="${esc(base)}/forms/${form.id}" method="post" accept-charset="utf-8">`,
    ...fields,
    topics,
    `<div style="position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden" aria-hidden="true"><label>Leave empty <input type="text" name="${HONEYPOT}" tabindex="-1" autocomplete="off"></label></div>`,
    extra.stamp ? `<input type="hidden" name="stamp" value="${esc(extra.stamp)}">` : "",
    turnstile,
    consent,
    `<button type="submit">${esc(form.buttonText)}</button>`,
    `</form>`,
  ]
    .filter(Boolean)
    .join("\n");
}
