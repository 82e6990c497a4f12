/** The template editor: envelope and content fields, live preview for a contact, save with field errors, send test. */
import { useRef, useState } from "preact/hooks";
import { api, fieldErrors, formError, SEE_FIELDS, session, settings } from "../api";
import { CodeEditor } from "../code-editor";
import { ContactPicker, type PreviewContact } from "../contact-picker";
import { formatDateTime, formatRelative } from "../format";
import { Icon } from "../icons";
import { Link, navigate, useLeaveGuard } from "../router";
import { store, useStore } from "../store";
import { useTitle } from "../title";
import type { Template } from "../types";
import { Alert, Badge, Button, Card, Checkbox, Dialog, PageHeader, RecordLoadFailed, RecordLoading, Segmented, TextField, toast, useAsync, useSaveShortcut } from "../ui";
import { LiquidHelp } from "./liquid-help";
import { PreviewPane } from "./template-preview";

/** Whose data previews and tests use; kept while moving between templates. */
const previewContact = store<PreviewContact | null>(null);
/** A template just created, handed to its own page so it opens without a reload. */
let created: Template | null = null;

const STARTER = {
  name: "",
  subject: 'Hi {{ contact.first_name | default: "there" }}',
  preheader: "",
  html: `<h1 style="font-size:24px;margin:0 0 16px">Hi {{ contact.first_name | default: "there" }},</h1>
<p>Write your message here. The store layout adds your logo, address and the unsubscribe links around it.</p>
<p><a href="{{ store.website }}">Visit {{ store.name }}</a></p>
`,
};

export function TemplateEditorPage({ id }: { id: string }) {
  const isNew = id === "new";
  const loaded = useAsync<Template | null>(async () => {
    if (isNew) return null;
    if (created && String(created.id) === id) return created;
    return api.get<Template>(`/templates/${encodeURIComponent(id)}`);
  }, [id]);
  const back = { href: "/templates", label: "Templates" };
  if (loaded.error) return <RecordLoadFailed noun="template" icon="templates" back={back} error={loaded.error} retry={loaded.reload} />;
  if (loaded.loading && !loaded.data) return <RecordLoading noun="template" back={back} />;
  return <Editor initial={loaded.data ?? null} />;
}

interface Form {
  name: string;
  subject: string;
  preheader: string;
  fromName: string;
  fromEmail: string;
  replyTo: string;
  html: string;
  text: string;
  customText: boolean;
  layout: Template["layout"];
}

const toForm = (t: Template | null): Form => ({
  name: t?.name ?? STARTER.name,
  subject: t?.subject ?? STARTER.subject,
  preheader: t?.preheader ?? STARTER.preheader,
  fromName: t?.fromName ?? "",
  fromEmail: t?.fromEmail ?? "",
  replyTo: t?.replyTo ?? "",
  html: t?.html ?? STARTER.html,
  text: t?.text ?? "",
  customText: t?.text != null,
  layout: t?.layout ?? "default",
});

/** What the API stores: empty optional fields as null, the text part only when written by hand. */
const toBody = (f: Form) => ({
  name: f.name.trim(),
  subject: f.subject,
  preheader: f.preheader,
  fromName: f.fromName.trim() || null,
  fromEmail: f.fromEmail.trim() || null,
  replyTo: f.replyTo.trim() || null,
  html: f.html,
  text: f.customText ? f.text : null,
  layout: f.layout,
});
type Body = ReturnType<typeof toBody>;

const FIELDS = ["name", "subject", "preheader", "fromName", "fromEmail", "replyTo", "html", "text", "layout"];

function Editor({ initial }: { initial: Template | null }) {
  const [template, setTemplate] = useState(initial);
  const [form, setForm] = useState(() => toForm(initial));
  const [baseline, setBaseline] = useState<Body | null>(() => (initial ? toBody(toForm(initial)) : null));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [testing, setTesting] = useState(false);
  // On narrow screens the form and the preview take turns.
  const [pane, setPane] = useState<"edit" | "preview">("edit");
  const contact = useStore(previewContact);
  const conf = useStore(settings);
  const helpRef = useRef<HTMLDivElement>(null);
  const movePending = useRef<number | null>(null);
  useTitle(template ? template.name : "New template");

  const body = toBody(form);
  const changed = baseline ? (Object.keys(body) as (keyof Body)[]).filter((k) => body[k] !== baseline[k]) : (Object.keys(body) as (keyof Body)[]);
  const dirty = !template || changed.length > 0;
  useLeaveGuard(changed.length > 0 && (template || form.name || form.html !== STARTER.html) ? "You have unsaved changes to this template. Leave without saving?" : null);

  const set = <K extends keyof Form>(k: K) => (v: Form[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    if (!errors[k]) return;
    // Editing a field clears its error, and the banner with the last one (the banner only pointed at them).
    const rest = { ...errors, [k]: "" };
    setErrors(rest);
    if (!Object.values(rest).some(Boolean) && error === SEE_FIELDS) setError(null);
  };

  /**
   * Saves what changed; returns the saved template, or null when the server refused it (errors are shown). A new
   * template moves to its own address, unless `stay` (the test dialog, which moves when it closes).
   */
  const save = async (stay = false): Promise<Template | null> => {
    const local: Record<string, string> = {};
    if (!body.name) local.name = "Give the template a name, for example “Welcome email”";
    if (!body.subject.trim()) local.subject = "A subject is required";
    if (Object.keys(local).length) {
      setErrors(local);
      setError(null);
      return null;
    }
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      let saved: Template;
      if (template) {
        const patch = Object.fromEntries(changed.map((k) => [k, body[k]]));
        saved = changed.length ? await api.patch<Template>(`/templates/${template.id}`, patch) : template;
      } else {
        saved = await api.post<Template>("/templates", body);
      }
      setTemplate(saved);
      setBaseline(body);
      setBusy(false);
      if (!template) {
        created = saved;
        if (stay) movePending.current = saved.id;
        else navigate(`/templates/${saved.id}`, { replace: true });
      }
      return saved;
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(formError(err, FIELDS));
      setBusy(false);
      setPane("edit");
      return null;
    }
  };

  const onSave = async () => {
    if (await save()) toast("Template saved");
  };

  useSaveShortcut(onSave);

  const sender = conf?.sender;
  // Without any from address every send fails; say so before someone tries.
  const noSender = Boolean(conf && !conf.sender.fromEmail && !form.fromEmail.trim());
  const status = !template ? (
    "Not saved yet"
  ) : changed.length ? (
    <Badge tone="amber" dot>
      Unsaved changes
    </Badge>
  ) : (
    <span title={formatDateTime(template.updatedAt)}>Saved {formatRelative(template.updatedAt)}</span>
  );

  return (
    <div class="page page-wide">
      <PageHeader
        back={{ href: "/templates", label: "Templates" }}
        title={form.name.trim() || (template ? template.name : "New template")}
        subtitle={<span class="editor-status">{status}</span>}
        actions={
          <>
            <Button icon="send" onClick={() => setTesting(true)}>
              Send test
            </Button>
            <Button variant="primary" onClick={onSave} loading={busy} disabled={!dirty && !busy} title="Save (Ctrl+S)">
              {template ? "Save" : "Create template"}
            </Button>
          </>
        }
      />
      {error && (
        <div class="editor-alert">
          <Alert>{error}</Alert>
        </div>
      )}
      <div class="editor-pane-toggle">
        <Segmented
          label="Show"
          value={pane}
          onValue={(v) => setPane(v as typeof pane)}
          options={[
            { value: "edit", label: "Edit" },
            { value: "preview", label: "Preview" },
          ]}
        />
      </div>
      <div class={`editor-grid show-${pane}`}>
        <div class="stack-lg editor-main">
          <Card title="Envelope" subtitle="What people see in their inbox before they open the email.">
            <div class="stack">
              <TextField label="Template name" value={form.name} onValue={set("name")} placeholder="Welcome email" hint="Only you see this." error={errors.name} autoFocus={!template} />
              <TextField label="Subject" value={form.subject} onValue={set("subject")} error={errors.subject} placeholder='Hi {{ contact.first_name | default: "there" }}' />
              <TextField
                label="Preheader"
                value={form.preheader}
                onValue={set("preheader")}
                aside="Optional"
                placeholder="A line of preview text after the subject"
                hint="Shown after the subject in most inboxes. Liquid works here too."
                error={errors.preheader}
              />
              <div class="grid-2">
                <TextField label="From name" value={form.fromName} onValue={set("fromName")} placeholder={sender?.fromName || conf?.store.name || "Your store"} error={errors.fromName} />
                <TextField
                  label="From email"
                  type="email"
                  value={form.fromEmail}
                  onValue={set("fromEmail")}
                  placeholder={sender?.fromEmail || "hello@example.com"}
                  error={errors.fromEmail || (noSender ? "No default sender is set: enter an address, or set one in Settings → General" : undefined)}
                />
                <TextField
                  class="span-2"
                  label="Reply-to"
                  type="email"
                  value={form.replyTo}
                  onValue={set("replyTo")}
                  placeholder={sender?.replyTo || "Replies go to the from address"}
                  hint="Empty sender fields use the default sender from Settings → General."
                  error={errors.replyTo}
                />
              </div>
            </div>
          </Card>
          <Card title="Content">
            <div class="stack">
              <div class="field">
                <span class="field-label" id="layout-label">
                  Layout
                </span>
                <Segmented
                  label="Layout"
                  value={form.layout}
                  onValue={(v) => set("layout")(v as Template["layout"])}
                  options={[
                    { value: "default", label: "Store layout" },
                    { value: "none", label: "None (my own HTML)" },
                  ]}
                />
                <p class="field-hint">
                  {form.layout === "default"
                    ? "Your logo or store name on top; your postal address and the unsubscribe and preference links in the footer. Write only the message."
                    : "Your HTML is sent as it is. Include the unsubscribe link ({{ unsubscribe_url }}) and your postal address yourself: the law requires both in marketing email."}
                </p>
              </div>
              <CodeEditor
                label="HTML body"
                value={form.html}
                onValue={set("html")}
                rows={20}
                error={errors.html}
                aside={
                  <button type="button" class="link-btn" onClick={() => helpRef.current?.scrollIntoView({ behavior: "smooth", block: "start" })}>
                    Variables and filters
                  </button>
                }
                hint="HTML with Liquid tags. Links are tracked and an open pixel is added when the email is sent."
              />
              <Checkbox
                label="Write the plain-text version myself"
                hint="Otherwise it is generated from the HTML, with links spelled out. See it under Plain text in the preview."
                checked={form.customText}
                onChange={(on) => {
                  setForm((f) => ({ ...f, customText: on }));
                }}
              />
              {form.customText && <CodeEditor label="Plain-text body" value={form.text} onValue={set("text")} rows={10} error={errors.text} />}
            </div>
          </Card>
          <div ref={helpRef} class="scroll-target">
            <Card title="Personalisation" subtitle="Liquid, the template language of Shopify and Klaviyo. Copy an example into the subject or body.">
              <LiquidHelp />
            </Card>
          </div>
        </div>
        <div class="editor-side">
          <PreviewPane
            draft={{ subject: body.subject, preheader: body.preheader, html: body.html, text: body.text, layout: body.layout }}
            contact={contact}
            onContact={previewContact.set}
            fromName={body.fromName ?? (sender?.fromName || conf?.store.name || "")}
            fromEmail={body.fromEmail ?? sender?.fromEmail ?? ""}
          />
        </div>
      </div>
      {testing && (
        <SendTestDialog
          noSender={noSender}
          dirty={dirty}
          save={() => save(true)}
          onClose={() => {
            setTesting(false);
            if (movePending.current) navigate(`/templates/${movePending.current}`, { replace: true });
          }}
        />
      )}
    </div>
  );
}

let lastTestAddress = "";

function SendTestDialog({ dirty, save, onClose, noSender }: { dirty: boolean; save: () => Promise<Template | null>; onClose: () => void; noSender: boolean }) {
  const me = useStore(session);
  const contact = useStore(previewContact);
  const [to, setTo] = useState(lastTestAddress || me?.user.email || "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(to.trim())) return setErrors({ to: "Enter the address to send the test to" });
    setBusy(true);
    setErrors({});
    setError(null);
    const saved = await save();
    if (!saved) {
      setBusy(false);
      setError("The template could not be saved. Correct the highlighted fields, then send the test again.");
      return;
    }
    try {
      const res = await api.post<{ messageId: string }>(`/templates/${saved.id}/test`, { to: to.trim(), ...(contact ? { contactId: contact.id } : {}) });
      lastTestAddress = to.trim();
      toast(`Test sent to ${to.trim()}`, "green", { label: "View in Outbox", href: `/outbox/${encodeURIComponent(res.messageId)}?fresh` });
      onClose();
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(formError(err, ["to"]));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Send a test"
      description="The saved template, rendered for the contact you choose, sent once to any address."
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" icon="send" loading={busy} disabled={noSender}>
            {dirty ? "Save and send test" : "Send test"}
          </Button>
        </>
      }
    >
      {error && <Alert>{error}</Alert>}
      {noSender && (
        <Alert tone="amber" title="There is no sender address">
          Set a from email on this template, or a default sender in <Link href="/settings/general">Settings → General</Link>: without one the email cannot be sent.
        </Alert>
      )}
      <TextField label="Send to" type="email" value={to} onValue={setTo} autoFocus error={errors.to} />
      <div class="field">
        <span class="field-label">Personalise for</span>
        <ContactPicker value={contact} onValue={previewContact.set} inline />
        <p class="field-hint">The same contact as the preview. Their data fills in the template; the email goes only to the address above.</p>
      </div>
      <p class="dialog-note">
        <Icon name="info" size={15} />
        <span>
          Tests go out as transactional email: they skip consent, frequency caps and quiet hours (not the suppression list), and carry no List-Unsubscribe header.
          {dirty && " Your unsaved changes are saved first."}
        </span>
      </p>
    </Dialog>
  );
}
