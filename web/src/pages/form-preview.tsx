/**
 * The form editor's side panel: a live preview that runs the real embed script (/forms/ID.js) with the draft's
 * settings in a sandboxed frame on a mock web page, and the three ways to embed the saved form.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../api";
import { Icon } from "../icons";
import type { Topic } from "../types";
import { Alert, CodeBlock, CopyField, IconButton, Segmented, Spinner, cx, useDebounced } from "../ui";
import { draftScript, parseSnippet, previewConfig, scriptJson, type Draft, type FormDetail, type FormListItem, type ParsedSnippet } from "./form-model";

type Device = "desktop" | "mobile";
type Loaded = { snippet: ParsedSnippet | null; raw: string } | { error: string };

/** The script of this form, or, while it is disabled (not served), of another active form: the runtime is the same. */
async function loadScript(id: number): Promise<Loaded> {
  const get = async (formId: number) => {
    const res = await fetch(`/forms/${formId}.js`, { credentials: "omit", cache: "no-store" });
    return res.ok ? res.text() : null;
  };
  let raw = await get(id).catch(() => null);
  if (raw === null) {
    const list = await api.get<{ items: FormListItem[] }>("/forms").catch(() => ({ items: [] }));
    const other = list.items.find((f) => f.status === "active" && f.id !== id);
    raw = other ? await get(other.id).catch(() => null) : null;
  }
  if (raw === null) return { error: "The preview needs an active form: enable this one to see it." };
  return { snippet: parseSnippet(raw), raw };
}

const PAGE_CSS = `html,body{margin:0}
body{min-height:100vh;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:#fff;color:#1f2937}
.head{display:flex;align-items:center;gap:14px;padding:14px 20px;border-bottom:1px solid #eef0f3}
.logo{width:88px;height:14px;border-radius:7px;background:#d0d5dd}
.nav{display:flex;gap:14px;margin-left:auto}
.nav i{display:block;width:42px;height:8px;border-radius:4px;background:#e4e7ec}
.content{max-width:680px;margin:0 auto;padding:28px 20px 40px}
.l{height:10px;border-radius:5px;background:#f0f2f5;margin:0 0 10px}
.h{height:18px;width:58%;border-radius:6px;background:#e4e7ec;margin:0 0 18px}
.slot{margin:26px 0}
.slot tern-form{max-width:480px;margin:0 auto}`;

const lines = (widths: number[]) => widths.map((w) => `<div class="l" style="width:${w}%"></div>`).join("");

/** What the preview's stand-in for the server says: the same messages the Worker gives, nothing stored. */
function stubScript(d: Draft, topics: Topic[]): string {
  const doi = topics.filter((t) => t.doubleOptIn).map((t) => t.key);
  const conf = {
    fields: d.fields.filter((f) => f.key !== "email").map((f) => ({ key: f.key, type: f.type, required: f.required })),
    multi: d.topics.length > 1,
    offered: d.topics.map((t) => t.key),
    doi,
    message: d.successMessage.trim(),
    redirect: d.after === "redirect" ? d.redirectUrl.trim() : "",
  };
  return `(function(){var P=${scriptJson(conf)};
function json(s,b){return Promise.resolve(new Response(JSON.stringify(b),{status:s,headers:{"content-type":"application/json"}}))}
window.fetch=function(url,init){
  if(!init||init.method!=="POST")return json(200,{stamp:"preview"});
  var b=JSON.parse(init.body),issues=[],f=b.fields||{};
  if(!/^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$/.test((b.email||"").trim()))issues.push({path:"email",message:"Please enter a valid email address"});
  P.fields.forEach(function(x){var v=f[x.key];
    if(x.type==="checkbox"){if(x.required&&!v)issues.push({path:"fields."+x.key,message:"Please tick this box"});return}
    var blank=v==null||String(v).trim()==="";
    if(blank){if(x.required)issues.push({path:"fields."+x.key,message:x.type==="select"?"Please choose an option":"Please fill in this field"});return}
    if(x.type==="number"&&!isFinite(Number(v)))issues.push({path:"fields."+x.key,message:"Please enter a number"});
    if(x.type==="tel"&&!/^\\+?[0-9 ().-]{3,50}$/.test(String(v).trim()))issues.push({path:"fields."+x.key,message:"Please enter a phone number"});
  });
  var chosen=P.multi?(b.topics||[]):P.offered;
  if(P.multi&&!chosen.length)issues.push({path:"topics",message:"Please choose at least one topic"});
  if(issues.length)return json(400,{error:{code:"invalid_request",message:"Please check the highlighted fields",issues:issues}});
  if(P.redirect)return json(200,{ok:true,message:"Preview: on your site, visitors would now go to "+P.redirect});
  var confirm=chosen.some(function(k){return P.doi.indexOf(k)>=0});
  return json(200,{ok:true,message:P.message||(confirm?"Almost done: please check your inbox and click the link to confirm your subscription.":"Thanks for subscribing!")});
};})();`;
}

/** A mock page around the form: a header and text blocks, the form where the snippet would be pasted. */
function hostPage(script: string, stub: string, id: number): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><style>${PAGE_CSS}</style></head>
<body><div class="head"><div class="logo"></div><div class="nav"><i></i><i></i><i></i></div></div>
<div class="content"><div class="h"></div>${lines([96, 88, 92, 64])}<div class="slot"><div data-tern-form="${id}"></div></div>${lines([90, 94, 70, 85, 60])}</div>
<script>${stub}</script><script>${script}</script></body></html>`;
}

export function FormSidePanel({ form, draft, topics, dirty, tab, onTab }: { form: FormDetail; draft: Draft; topics: Topic[]; dirty: boolean; tab: "preview" | "embed"; onTab: (t: "preview" | "embed") => void }) {
  const [device, setDevice] = useState<Device>("desktop");
  const [run, setRun] = useState(0);
  return (
    <section class="card preview-card form-side" aria-label="Preview and embed code">
      <div class="preview-toolbar">
        <Segmented
          label="Panel"
          value={tab}
          onValue={(v) => onTab(v as "preview" | "embed")}
          options={[
            { value: "preview", label: "Preview" },
            { value: "embed", label: "Embed" },
          ]}
        />
        {tab === "preview" ? (
          <span class="form-preview-actions">
            <Segmented
              label="Preview width"
              value={device}
              onValue={(v) => setDevice(v as Device)}
              options={[
                { value: "desktop", label: "Desktop" },
                { value: "mobile", label: "Mobile" },
              ]}
            />
            <IconButton icon="refresh" label="Restart the preview, as on a fresh page view" onClick={() => setRun((n) => n + 1)} />
          </span>
        ) : (
          <span class="muted small">Three ways to put it on your site</span>
        )}
      </div>
      {tab === "preview" ? <Preview form={form} draft={draft} topics={topics} device={device} run={run} /> : <EmbedPanel form={form} dirty={dirty} />}
    </section>
  );
}

function Preview({ form, draft, topics, device, run }: { form: FormDetail; draft: Draft; topics: Topic[]; device: Device; run: number }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  // The saved form is served again after each save (its script is cached per version).
  useEffect(() => {
    let live = true;
    void loadScript(form.id).then((l) => live && setLoaded(l));
    return () => {
      live = false;
    };
  }, [form.id, form.status, form.updatedAt]);

  const key = JSON.stringify(draft);
  const settled = useDebounced(key, 300);
  const doc = useMemo(() => {
    if (!loaded || "error" in loaded) return null;
    const d = JSON.parse(settled) as Draft;
    const script = loaded.snippet ? draftScript(loaded.snippet, previewConfig(form.id, d, topics)) : loaded.raw;
    return hostPage(script, stubScript(d, topics), form.id);
  }, [loaded, settled, topics, form.id]);

  const updating = !loaded || settled !== key;
  return (
    <>
      {loaded && "snippet" in loaded && !loaded.snippet && (
        <div class="preview-error" role="status">
          <Icon name="info" size={16} />
          <span>This preview shows the saved form: save to see your changes.</span>
        </div>
      )}
      <div class="preview-body">
        {!loaded ? (
          <div class="preview-placeholder">
            <Spinner />
          </div>
        ) : "error" in loaded ? (
          <div class="preview-placeholder form-preview-off">
            <Icon name="ban" size={20} />
            <span>{loaded.error}</span>
          </div>
        ) : (
          <div class={cx("form-frame", `is-${device}`)}>
            {doc && <iframe key={run} title="Form preview" data-testid="form-preview" srcdoc={doc} sandbox="allow-scripts" referrerpolicy="no-referrer" />}
          </div>
        )}
      </div>
      <p class="preview-foot">
        <span class="preview-state" role="status">
          {updating ? <Spinner small /> : <Icon name="check" size={14} />}
        </span>
        <span>
          The real embed script with your unsaved changes. Nothing you submit here is sent.
          {draft.mode !== "inline" && " Here it opens at once; on your site it follows the display rules."}
        </span>
      </p>
    </>
  );
}

function EmbedPanel({ form, dirty }: { form: FormDetail; dirty: boolean }) {
  const embed = form.embed;
  if (!embed) {
    return (
      <div class="form-embed">
        <Alert title="No embed code">The stored form is no longer valid. Save it again to get its snippets.</Alert>
      </div>
    );
  }
  const inline = form.definition?.display.mode === "inline";
  return (
    <div class="form-embed" data-testid="form-embed">
      {dirty && (
        <Alert tone="blue" title="You have unsaved changes">
          The code below is for the saved form. Save first so your site gets the changes.
        </Alert>
      )}
      {form.status === "disabled" && (
        <Alert tone="amber" title="This form is disabled">
          Pages that embed it show nothing, and submissions are refused, until you enable it.
        </Alert>
      )}
      <section class="embed-option" aria-labelledby="embed-script">
        <div class="embed-option-head">
          <h3 id="embed-script">Script tag</h3>
          <span class="badge badge-blue">Recommended</span>
        </div>
        <p>
          {inline
            ? "Paste it where the form should appear. It styles itself without touching your site's CSS, checks entries as people type, and picks up your changes within five minutes."
            : "Paste it anywhere on the page, for example just before the closing body tag. The form opens by its display rules, and your site's CSS cannot affect it."}
        </p>
        <CodeBlock code={embed.script} title="HTML" />
      </section>
      <section class="embed-option" aria-labelledby="embed-html">
        <div class="embed-option-head">
          <h3 id="embed-html">Plain HTML form</h3>
        </div>
        <p>
          For pages that cannot run scripts. After a signup the visitor returns to your site if it is an allowed website: to its home page, as browsers tell Tern only the domain (to come back to the page itself, add <code>{'<input type="hidden" name="redirect_to" value="https://…">'}</code> to the form with the page's address). Otherwise a Tern thank-you page shows. It takes your site's styles; copy it again after changing fields.
        </p>
        <CodeBlock code={embed.html} title="HTML" />
      </section>
      <section class="embed-option" aria-labelledby="embed-hosted">
        <div class="embed-option-head">
          <h3 id="embed-hosted">Hosted page</h3>
        </div>
        <p>A signup page Tern serves for this form, in your brand colour. Link to it from social profiles, QR codes or anywhere you cannot embed.</p>
        <div class="embed-hosted">
          <CopyField label="Page address" value={embed.hostedUrl} testId="hosted-url" />
          <a class="btn btn-secondary" href={embed.hostedUrl} target="_blank" rel="noopener noreferrer">
            <Icon name="external" size={16} />
            Open
          </a>
        </div>
      </section>
    </div>
  );
}
