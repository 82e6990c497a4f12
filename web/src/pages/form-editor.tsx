/**
 * The form editor: fields, topics, wording, what happens after a signup, style, display rules and where the form
 * may be used, with the real embed script previewed live beside it and the snippets to paste.
 */
import { useState } from "preact/hooks";
import { api, errorMessage, fieldErrors, formError, SEE_FIELDS } from "../api";
import { formatDateTime, formatNumber, formatRelative } from "../format";
import { Link, navigate, useLeaveGuard } from "../router";
import { useTitle } from "../title";
import type { TemplateSummary, Topic } from "../types";
import {
  Alert, Badge, Button, Card, Checkbox, ConfirmDialog, IconButton, PageHeader, RecordLoadFailed, RecordLoading, Segmented, SelectField, TextArea, TextField, cx, toast, useAsync, useSaveShortcut,
} from "../ui";
import { FieldsEditor } from "./form-fields";
import { nextUid, sentOrigins, toBody, toDraft, isHex, type Draft, type FormDetail } from "./form-model";
import { FormSidePanel } from "./form-preview";
import { DeleteText, FORMS_PATH, MODE_HINT, takeCreatedForm } from "./forms";
import "./forms.css";

export function FormEditorPage({ id }: { id: string }) {
  const loaded = useAsync<FormDetail>(async () => takeCreatedForm(id) ?? api.get<FormDetail>(`/forms/${encodeURIComponent(id)}`), [id]);
  const topics = useAsync(() => api.get<{ items: Topic[] }>("/topics").then((r) => r.items), []);
  const templates = useAsync(() => api.get<{ items: TemplateSummary[] }>("/templates").then((r) => r.items), []);
  const back = { href: FORMS_PATH, label: "Forms" };
  if (loaded.error || topics.error) {
    return <RecordLoadFailed noun="form" icon="forms" back={back} error={loaded.error ?? topics.error} retry={loaded.error ? loaded.reload : topics.reload} />;
  }
  if (!loaded.data || !topics.data) return <RecordLoading noun="form" back={back} />;
  if (!loaded.data.definition) {
    return (
      <div class="page">
        <PageHeader title={loaded.data.name} back={back} />
        <Alert title="This form's stored settings are no longer valid">It does not accept signups. Delete it and create it again.</Alert>
      </div>
    );
  }
  return <Editor initial={loaded.data} topics={topics.data} templates={templates.data ?? []} />;
}

/** Top-level keys of the definition the editor shows, for the error banner (anything else is spelled out). */
const FIELDS = [
  "name", "title", "description", "fields", "topics", "topicsLabel", "consentText", "privacyUrl", "successMessage", "redirectUrl", "confirmation", "style", "display", "allowedOrigins", "turnstile",
];

const clamp = (v: string, max: number) => Math.min(max, Math.max(0, Math.floor(Number(v) || 0)));

/** A fresh draft from what the server stored, keeping row identities so nothing re-mounts after a save. */
function redraft(form: FormDetail, previous: Draft | null): Draft {
  const d = toDraft(form.name, form.definition!);
  if (!previous) return d;
  return {
    ...d,
    fields: d.fields.map((f, i) => (previous.fields[i]?.key === f.key ? { ...f, uid: previous.fields[i]!.uid } : f)),
    origins: d.origins.map((o, i) => ({ ...o, uid: sentOrigins(previous).at[i] !== undefined ? previous.origins[sentOrigins(previous).at[i]!]!.uid : o.uid })),
  };
}

function Editor({ initial, topics, templates }: { initial: FormDetail; topics: Topic[]; templates: TemplateSummary[] }) {
  const [form, setForm] = useState(initial);
  const [draft, setDraft] = useState<Draft>(() => redraft(initial, null));
  const [baseline, setBaseline] = useState(() => JSON.stringify(toBody(redraft(initial, null))));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [toggling, setToggling] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [tab, setTab] = useState<"preview" | "embed">("preview");
  // On narrow screens the form and the side panel take turns.
  const [pane, setPane] = useState<"edit" | "side">("edit");
  useTitle(form.name);

  const body = toBody(draft);
  const dirty = JSON.stringify(body) !== baseline;
  useLeaveGuard(dirty ? "You have unsaved changes to this form. Leave without saving?" : null);

  const set = <K extends keyof Draft>(k: K, errorKey: string = k) => (v: Draft[K]) => {
    setDraft((d) => ({ ...d, [k]: v }));
    clearError(errorKey);
  };
  const clearError = (prefix: string) => {
    const hit = Object.keys(errors).filter((k) => k === prefix || k.startsWith(`${prefix}.`));
    if (!hit.length) return;
    const rest = Object.fromEntries(Object.entries(errors).filter(([k]) => !hit.includes(k)));
    setErrors(rest);
    if (!Object.keys(rest).length && error === SEE_FIELDS) setError(null);
  };

  const save = async () => {
    const local: Record<string, string> = {};
    if (!body.name) local.name = "Give the form a name, for example “Footer signup”";
    if (!body.topics.length) local.topics = "Offer at least one topic";
    if (!isHex(draft.accentColor)) local["style.accentColor"] = "A colour like #1f6feb";
    if (Object.keys(local).length) {
      setErrors(local);
      setError(SEE_FIELDS);
      setPane("edit");
      return;
    }
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      const saved = await api.patch<FormDetail>(`/forms/${form.id}`, body);
      const next = redraft(saved, draft);
      setForm(saved);
      setDraft(next);
      setBaseline(JSON.stringify(toBody(next)));
      toast("Form saved");
    } catch (err) {
      // Origins are sent without blank rows: point their errors at the right row.
      const at = sentOrigins(draft).at;
      const mapped = Object.fromEntries(
        Object.entries(fieldErrors(err)).map(([k, v]) => {
          const m = /^allowedOrigins\.(\d+)/.exec(k);
          return m && at[Number(m[1])] !== undefined ? [`origins.${draft.origins[at[Number(m[1])]!]!.uid}`, v] : [k, v];
        }),
      );
      setErrors(mapped);
      setError(formError(err, FIELDS));
      setPane("edit");
    }
    setBusy(false);
  };

  useSaveShortcut(save);

  const toggle = async () => {
    setToggling(true);
    try {
      const next = await api.post<FormDetail>(`/forms/${form.id}/${form.status === "active" ? "disable" : "enable"}`);
      setForm({ ...next, name: form.name });
      toast(next.status === "active" ? "The form accepts signups again" : "Form disabled: sites that embed it show nothing");
    } catch (err) {
      toast(errorMessage(err), "red");
    }
    setToggling(false);
  };

  const showSide = (t: "preview" | "embed") => {
    setTab(t);
    setPane("side");
  };

  const status = dirty ? (
    <Badge tone="amber" dot>
      Unsaved changes
    </Badge>
  ) : (
    <span title={formatDateTime(form.updatedAt)}>Saved {formatRelative(form.updatedAt)}</span>
  );
  const { stats } = form;
  const settled = stats.confirmed + stats.pending;

  return (
    <div class="page page-wide">
      <PageHeader
        back={{ href: FORMS_PATH, label: "Forms" }}
        title={draft.name.trim() || form.name}
        subtitle={
          <span class="editor-status">
            {form.status === "active" ? (
              <Badge tone="green" dot>
                Active
              </Badge>
            ) : (
              <Badge dot>Disabled</Badge>
            )}
            {status}
          </span>
        }
        actions={
          <>
            <Button icon="code" onClick={() => showSide("embed")}>
              Embed code
            </Button>
            <Button icon={form.status === "active" ? "ban" : "check"} loading={toggling} onClick={toggle}>
              {form.status === "active" ? "Disable" : "Enable"}
            </Button>
            <Button variant="danger" icon="trash" onClick={() => setDeleting(true)}>
              Delete
            </Button>
            <Button variant="primary" onClick={save} loading={busy} disabled={!dirty && !busy} title="Save (Ctrl+S)">
              Save form
            </Button>
          </>
        }
      />
      {error && (
        <div class="editor-alert">
          <Alert>{error}</Alert>
        </div>
      )}
      {form.warnings.length > 0 && (
        <div class="editor-alert" data-testid="form-warnings">
          <Alert tone="amber" title={form.warnings.length === 1 ? "One thing to check" : "Things to check"}>
            <ul class="form-warning-list">
              {form.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          </Alert>
        </div>
      )}
      <div class="mini-stats form-stats" data-testid="form-stats">
        <Stat label="Submissions" value={formatNumber(stats.submissions)} />
        <Stat label="Confirmed" value={formatNumber(stats.confirmed)} />
        <Stat label="Waiting to confirm" value={formatNumber(stats.pending)} />
        <Stat label="Confirmation rate" value={settled ? `${Math.round((stats.confirmed / settled) * 100)}%` : "—"} />
      </div>
      <div class="editor-pane-toggle">
        <Segmented
          label="Show"
          value={pane === "edit" ? "edit" : tab}
          onValue={(v) => (v === "edit" ? setPane("edit") : showSide(v as "preview" | "embed"))}
          options={[
            { value: "edit", label: "Edit" },
            { value: "preview", label: "Preview" },
            { value: "embed", label: "Embed" },
          ]}
        />
      </div>
      <div class={cx("editor-grid", "form-editor-grid", pane === "edit" ? "show-edit" : "show-preview")}>
        <div class="stack-lg editor-main">
          <Card title="Form" subtitle="What visitors read above the fields.">
            <div class="grid-2">
              <TextField label="Name" value={draft.name} onValue={set("name")} hint="Only you see this." error={errors.name} maxLength={200} />
              <TextField label="Heading" aside="Optional" value={draft.title} onValue={set("title")} placeholder="Join our newsletter" error={errors.title} maxLength={200} />
              <TextArea class="span-2" label="Introduction" aside="Optional" rows={2} value={draft.description} onValue={set("description")} placeholder="New arrivals and offers, twice a month." error={errors.description} maxLength={1000} />
            </div>
          </Card>

          <Card title="Fields" subtitle="Email is always asked for. Other answers fill in the contact's profile, never overwriting what it already has.">
            <FieldsEditor
              fields={draft.fields}
              errors={errors}
              onChange={(fields) => {
                setDraft((d) => ({ ...d, fields }));
                clearError("fields");
              }}
            />
          </Card>

          <TopicsCard draft={draft} topics={topics} errors={errors} onChange={(t) => set("topics")(t)} onLabel={set("topicsLabel")} />

          <Card title="Consent" subtitle="Stored word for word, with a version, on every subscription the form creates: your record of what people agreed to.">
            <div class="stack">
              <TextArea
                label="Consent text"
                rows={3}
                value={draft.consentText}
                onValue={set("consentText")}
                error={errors.consentText}
                maxLength={2000}
                hint="Shown above the button. Editing it starts a new version; earlier signups keep the text they saw."
              />
              <TextField label="Privacy policy" aside="Optional" type="url" value={draft.privacyUrl} onValue={set("privacyUrl")} placeholder="https://shop.example/privacy" error={errors.privacyUrl} hint="Linked after the consent text." />
            </div>
          </Card>

          <AfterCard draft={draft} topics={topics} templates={templates} errors={errors} set={set} />

          <Card title="Style" subtitle="The form brings its own styles; your site's CSS does not change it, and it does not change your site.">
            <div class="grid-2">
              <div class={cx("field", errors["style.accentColor"] && "has-error")}>
                <label class="field-label" for="form-accent">
                  Accent colour
                </label>
                <div class="color-field">
                  <input type="color" aria-label="Pick the accent colour" value={isHex(draft.accentColor) ? draft.accentColor : "#2563eb"} onInput={(e) => set("accentColor", "style.accentColor")(e.currentTarget.value)} />
                  <input id="form-accent" class="input mono" value={draft.accentColor} onInput={(e) => set("accentColor", "style.accentColor")(e.currentTarget.value)} aria-invalid={errors["style.accentColor"] ? "true" : undefined} />
                </div>
                {errors["style.accentColor"] ? <p class="field-error">{errors["style.accentColor"]}</p> : <p class="field-hint">The button and focus outlines. The button text turns black or white to stay readable.</p>}
              </div>
              <TextField label="Button text" value={draft.buttonText} onValue={set("buttonText", "style.buttonText")} placeholder="Subscribe" error={errors["style.buttonText"]} maxLength={60} />
              <div class="field span-2">
                <span class="field-label">Layout</span>
                <Segmented
                  label="Layout"
                  value={draft.layout}
                  onValue={(v) => set("layout", "style.layout")(v as Draft["layout"])}
                  options={[
                    { value: "stacked", label: "Stacked" },
                    { value: "inline", label: "Side by side" },
                  ]}
                />
                <p class="field-hint">{draft.layout === "stacked" ? "One field per row, the button below: best in sidebars, popups and on phones." : "Fields and button in one row where there is room, such as a wide footer band."}</p>
              </div>
            </div>
          </Card>

          <DisplayCard draft={draft} errors={errors} set={set} />

          <SecurityCard draft={draft} errors={errors} setDraft={setDraft} clearError={clearError} set={set} />
        </div>
        <div class="editor-side">
          <FormSidePanel form={form} draft={draft} topics={topics} dirty={dirty} tab={tab} onTab={setTab} />
        </div>
      </div>
      {deleting && (
        <ConfirmDialog
          title={`Delete “${form.name}”?`}
          confirmLabel="Delete form"
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await api.del(`/forms/${form.id}`);
            toast(`Form “${form.name}” deleted`);
            setDeleting(false);
            navigate(FORMS_PATH, { force: true });
          }}
        >
          <DeleteText />
        </ConfirmDialog>
      )}
    </div>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div class="mini-stat">
      <span class="mini-stat-label">{label}</span>
      <span class="mini-stat-value">{value}</span>
    </div>
  );
}

type Setter = <K extends keyof Draft>(k: K, errorKey?: string) => (v: Draft[K]) => void;

function TopicsCard({ draft, topics, errors, onChange, onLabel }: { draft: Draft; topics: Topic[]; errors: Record<string, string>; onChange: (t: Draft["topics"]) => void; onLabel: (v: string) => void }) {
  const chosen = draft.topics;
  const multi = chosen.length > 1;
  // Transactional topics are about orders, not something to sign up for; they show only if a form already has one.
  const shown = topics.filter((t) => t.kind === "marketing" || chosen.some((c) => c.key === t.key));
  const gone = chosen.filter((c) => !topics.some((t) => t.key === c.key));
  const patch = (key: string, p: Partial<Draft["topics"][number]>) => onChange(chosen.map((c) => (c.key === key ? { ...c, ...p } : c)));
  const topicError = (key: string) => {
    const i = chosen.findIndex((c) => c.key === key);
    return i >= 0 ? errors[`topics.${i}.key`] : undefined;
  };
  const single = chosen.length === 1 ? topics.find((t) => t.key === chosen[0]!.key) : null;
  return (
    <Card
      title="Topics"
      subtitle="What people sign up for. Topics with double opt-in send a confirmation email first; set that per topic in Settings → Topics."
      actions={
        <Link class="btn btn-ghost btn-sm" href="/settings/topics">
          Manage topics
        </Link>
      }
    >
      <div class="stack">
        {errors.topics && <p class="field-error">{errors.topics}</p>}
        {shown.length === 0 && gone.length === 0 ? (
          <Alert tone="amber" title="No topics yet">
            Create a marketing topic such as “Newsletter” in <Link href="/settings/topics">Settings → Topics</Link>.
          </Alert>
        ) : (
          <ul class="form-topics" data-testid="form-topics">
            {shown.map((t) => {
              const c = chosen.find((x) => x.key === t.key);
              return (
                <li key={t.key} class={cx("form-topic", c && "is-on")}>
                  <div class="form-topic-main">
                    <Checkbox label={t.name} hint={t.description || undefined} checked={Boolean(c)} onChange={(on) => onChange(on ? [...chosen, { key: t.key, label: "", preselected: false }] : chosen.filter((x) => x.key !== t.key))} />
                    <span class="form-topic-badges">
                      {t.kind === "transactional" && <Badge tone="amber">Transactional</Badge>}
                      <Badge tone={t.doubleOptIn ? "blue" : "neutral"}>{t.doubleOptIn ? "Double opt-in" : "Single opt-in"}</Badge>
                    </span>
                  </div>
                  {c && multi && (
                    <div class="form-topic-extra">
                      <TextField label="Label on the form" aside="Optional" value={c.label} onValue={(v) => patch(t.key, { label: v })} placeholder={t.name} maxLength={100} />
                      <Checkbox label="Ticked at the start" checked={c.preselected} onChange={(v) => patch(t.key, { preselected: v })} />
                    </div>
                  )}
                  {topicError(t.key) && <p class="field-error">{topicError(t.key)}</p>}
                </li>
              );
            })}
            {gone.map((c) => (
              <li key={c.key} class="form-topic is-on">
                <div class="form-topic-main">
                  <span class="text-danger">
                    <strong>{c.key}</strong>: this topic no longer exists.
                  </span>
                  <Button size="sm" variant="ghost" onClick={() => onChange(chosen.filter((x) => x.key !== c.key))}>
                    Remove
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        )}
        {multi ? (
          <TextField label="Question above the topics" value={draft.topicsLabel} onValue={onLabel} error={errors.topicsLabel} maxLength={200} hint="Visitors tick the topics they want, at least one." />
        ) : single ? (
          <p class="field-hint">Everyone who signs up joins {single.name}. Offer several topics to let visitors choose.</p>
        ) : null}
      </div>
    </Card>
  );
}

function AfterCard({ draft, topics, templates, errors, set }: { draft: Draft; topics: Topic[]; templates: TemplateSummary[]; errors: Record<string, string>; set: Setter }) {
  const confirming = draft.topics.map((c) => topics.find((t) => t.key === c.key)).filter((t): t is Topic => Boolean(t?.doubleOptIn));
  const defaultMessage = confirming.length ? "Almost done: please check your inbox and click the link to confirm your subscription." : "Thanks for subscribing!";
  const chosen = templates.find((t) => String(t.id) === draft.confirmTemplateId);
  return (
    <Card title="After signing up" subtitle="What the visitor sees, and the confirmation email for double opt-in topics.">
      <div class="stack">
        <div class="field">
          <span class="field-label">Then</span>
          <Segmented
            label="After signing up"
            value={draft.after}
            onValue={(v) => set("after", "redirectUrl")(v as Draft["after"])}
            options={[
              { value: "message", label: "Show a message" },
              { value: "redirect", label: "Go to a page" },
            ]}
          />
        </div>
        {draft.after === "message" ? (
          <TextArea label="Message" aside="Optional" rows={2} value={draft.successMessage} onValue={set("successMessage")} placeholder={defaultMessage} error={errors.successMessage} maxLength={1000} hint="Replaces the form. Empty: the text shown here, which asks people to check their inbox when a topic needs confirmation." />
        ) : (
          <TextField label="Page address" type="url" value={draft.redirectUrl} onValue={set("redirectUrl")} placeholder="https://shop.example/thanks" error={errors.redirectUrl} hint="Your own thank-you page, for example with a welcome discount." />
        )}
        <div class="form-subsection">
          <SelectField
            label="Confirmation email"
            value={draft.confirmTemplateId}
            onValue={set("confirmTemplateId", "confirmation.templateId")}
            error={errors["confirmation.templateId"]}
            options={[{ value: "", label: "Tern's standard confirmation email" }, ...templates.map((t) => ({ value: String(t.id), label: t.name }))]}
            hint={
              <>
                {confirming.length
                  ? `Sent to people who choose ${confirming.map((t) => t.name).join(" or ")}. `
                  : "None of the chosen topics asks for confirmation, so it goes only to people who had unsubscribed from everything. "}
                {chosen ? (
                  <Link href={`/templates/${chosen.id}`}>Edit “{chosen.name}”</Link>
                ) : (
                  "The standard one becomes a template you can edit after the first signup."
                )}{" "}
                A template of your own must link to {"{{ event.confirm_url }}"}.
              </>
            }
          />
          <TextField
            label="After confirming, go to"
            aside="Optional"
            type="url"
            value={draft.confirmRedirectUrl}
            onValue={set("confirmRedirectUrl", "confirmation.redirectUrl")}
            placeholder="https://shop.example/welcome"
            error={errors["confirmation.redirectUrl"]}
            hint="Empty: a page in your brand colours says the subscription is confirmed."
          />
        </div>
      </div>
    </Card>
  );
}

function ruleSentence(d: Draft): string {
  const parts: string[] = [];
  if (d.delaySeconds) parts.push(`${d.delaySeconds} second${d.delaySeconds === 1 ? "" : "s"} after the page loads`);
  if (d.scrollPercent) parts.push(`when the visitor has scrolled ${d.scrollPercent}% of the page`);
  if (d.exitIntent) parts.push("when the visitor is about to leave");
  const when = !parts.length ? "Opens as soon as the page loads." : parts.length === 1 ? `Opens ${parts[0]}.` : `Opens ${parts.slice(0, -1).join(", ")} or ${parts.at(-1)}, whichever comes first.`;
  const again = d.hideForDays ? ` Once closed, it stays away for ${d.hideForDays} day${d.hideForDays === 1 ? "" : "s"} in that browser.` : " Once closed, it comes back on the next page view.";
  return `${when}${again} People who sign up are not asked again.`;
}

function DisplayCard({ draft, errors, set }: { draft: Draft; errors: Record<string, string>; set: Setter }) {
  const overlay = draft.mode !== "inline";
  return (
    <Card title="Display" subtitle="How the form appears on your site.">
      <div class="stack">
        <div class="field">
          <Segmented
            label="Display"
            value={draft.mode}
            onValue={(v) => set("mode", "display")(v as Draft["mode"])}
            options={[
              { value: "inline", label: "Inline" },
              { value: "popup", label: "Popup" },
              { value: "slide_in", label: "Slide-in" },
            ]}
          />
          <p class="field-hint">{MODE_HINT[draft.mode]}</p>
        </div>
        {overlay && (
          <>
            <div class="grid-2">
              <TextField label="After a delay" aside="seconds" type="number" min={0} max={600} value={String(draft.delaySeconds)} onValue={(v) => set("delaySeconds", "display.delaySeconds")(clamp(v, 600))} error={errors["display.delaySeconds"]} hint="0: no delay rule." />
              <TextField label="After scrolling" aside="% of the page" type="number" min={0} max={100} value={String(draft.scrollPercent)} onValue={(v) => set("scrollPercent", "display.scrollPercent")(clamp(v, 100))} error={errors["display.scrollPercent"]} hint="0: no scroll rule." />
              <Checkbox label="When the visitor is about to leave" hint="Exit intent: the pointer heads for the tabs or the address bar (on computers)." checked={draft.exitIntent} onChange={set("exitIntent", "display.exitIntent")} />
              <TextField label="After closing, hide for" aside="days" type="number" min={0} max={365} value={String(draft.hideForDays)} onValue={(v) => set("hideForDays", "display.hideForDays")(clamp(v, 365))} error={errors["display.hideForDays"]} hint="0: show it on every page view." />
            </div>
            <p class="form-rule-sentence" data-testid="display-rule">
              {ruleSentence(draft)}
            </p>
          </>
        )}
      </div>
    </Card>
  );
}

function SecurityCard({ draft, errors, setDraft, clearError, set }: { draft: Draft; errors: Record<string, string>; setDraft: (f: (d: Draft) => Draft) => void; clearError: (p: string) => void; set: Setter }) {
  const setOrigin = (uid: number, value: string) => {
    setDraft((d) => ({ ...d, origins: d.origins.map((o) => (o.uid === uid ? { ...o, value } : o)) }));
    clearError(`origins.${uid}`);
  };
  const addOrigin = () => {
    const uid = nextUid();
    setDraft((d) => ({ ...d, origins: [...d.origins, { uid, value: "" }] }));
    requestAnimationFrame(() => document.querySelector<HTMLInputElement>(`[data-origin="${uid}"]`)?.focus());
  };
  return (
    <Card title="Where it can be used" subtitle="Keep other sites and bots from posting to your list.">
      <div class="stack">
        <div class="field">
          <span class="field-label" id="origins-label">
            Allowed websites
          </span>
          {draft.origins.length > 0 && (
            <ul class="origin-list" aria-labelledby="origins-label">
              {draft.origins.map((o, i) => {
                const err = errors[`origins.${o.uid}`];
                return (
                  <li key={o.uid}>
                    <div class="origin-row">
                      <input
                        class="input mono"
                        data-origin={o.uid}
                        value={o.value}
                        onInput={(e) => setOrigin(o.uid, e.currentTarget.value)}
                        placeholder="https://shop.example"
                        aria-label={`Allowed website ${i + 1}`}
                        aria-invalid={err ? "true" : undefined}
                        spellcheck={false}
                        autoComplete="off"
                      />
                      <IconButton
                        icon="trash"
                        label={`Remove ${o.value || "this website"}`}
                        onClick={() => {
                          setDraft((d) => ({ ...d, origins: d.origins.filter((x) => x.uid !== o.uid) }));
                          clearError(`origins.${o.uid}`);
                        }}
                      />
                    </div>
                    {err && <p class="field-error">{err}</p>}
                  </li>
                );
              })}
            </ul>
          )}
          <div>
            <Button size="sm" icon="plus" onClick={addOrigin} disabled={draft.origins.length >= 20}>
              Add website
            </Button>
          </div>
          {errors.allowedOrigins && <p class="field-error">{errors.allowedOrigins}</p>}
          <p class="field-hint">
            The address of each site that shows the form, without a path: <code>https://shop.example</code>. The script and the plain HTML form only submit from these. The hosted page always works.
          </p>
        </div>
        <div class="form-subsection">
          <Checkbox
            label="Protect with Cloudflare Turnstile"
            hint="A privacy-friendly challenge, usually invisible, that stops bots. Every form already has a hidden trap field, a minimum fill time and rate limits."
            checked={draft.turnstileEnabled}
            onChange={set("turnstileEnabled", "turnstile")}
          />
          {errors["turnstile.enabled"] && <p class="field-error">{errors["turnstile.enabled"]}</p>}
          {draft.turnstileEnabled && (
            <div class="stack form-turnstile">
              <TextField label="Site key" mono value={draft.turnstileSiteKey} onValue={set("turnstileSiteKey", "turnstile.siteKey")} placeholder="0x4AAAAAAA…" error={errors["turnstile.siteKey"]} maxLength={100} />
              <ol class="form-steps">
                <li>In the Cloudflare dashboard, open Turnstile and add a widget for your site's domain.</li>
                <li>Paste its site key above.</li>
                <li>
                  Store its secret key as the Worker secret <code>TURNSTILE_SECRET</code>: run <code>npx wrangler secret put TURNSTILE_SECRET</code> (for <code>npm run dev</code>, add it to <code>.dev.vars</code>). Tern sends every signup's challenge to Cloudflare with it, and refuses those that fail. Until it is set, the form cannot be saved with Turnstile on.
                </li>
              </ol>
            </div>
          )}
        </div>
      </div>
    </Card>
  );
}
