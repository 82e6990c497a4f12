/** The template editor's live preview: the unsaved draft rendered by the server for a chosen contact. */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorMessage } from "../api";
import { ContactPicker, type PreviewContact } from "../contact-picker";
import { DeviceToggle, EmailFrame, InboxLine, type Device } from "../email-view";
import { Icon } from "../icons";
import type { RenderedEmail, Template } from "../types";
import { Segmented, Spinner, cx, useDebounced } from "../ui";

export type Draft = Pick<Template, "subject" | "preheader" | "html" | "text" | "layout">;

export function PreviewPane({ draft, contact, onContact, fromName, fromEmail }: { draft: Draft; contact: PreviewContact | null; onContact: (c: PreviewContact | null) => void; fromName: string; fromEmail: string }) {
  const [device, setDevice] = useState<Device>("desktop");
  const [view, setView] = useState<"html" | "text">("html");
  const [result, setResult] = useState<{ email: RenderedEmail | null; error: string | null; loading: boolean }>({ email: null, error: null, loading: true });
  const body = JSON.stringify({ template: draft, ...(contact ? { contactId: contact.id } : {}) });
  const debounced = useDebounced(body, 350);
  const seq = useRef(0);

  useEffect(() => {
    const mine = ++seq.current;
    setResult((r) => ({ ...r, loading: true }));
    api.post<RenderedEmail>("/templates/preview", JSON.parse(debounced)).then(
      (email) => mine === seq.current && setResult({ email, error: null, loading: false }),
      (err: unknown) => mine === seq.current && setResult((r) => ({ ...r, error: errorMessage(previewIssue(err) ?? err), loading: false })),
    );
  }, [debounced]);

  const email = result.email;
  const stale = result.loading || debounced !== body;
  return (
    <section class="card preview-card" aria-label="Preview">
      <div class="preview-toolbar">
        <ContactPicker value={contact} onValue={onContact} />
        <DeviceToggle value={device} onValue={setDevice} />
      </div>
      <InboxLine fromName={fromName} fromEmail={fromEmail} subject={email?.subject ?? ""} preheader={email?.preheader ?? ""} />
      <div class="preview-subbar">
        <Segmented
          label="Part"
          value={view}
          onValue={(v) => setView(v as "html" | "text")}
          options={[
            { value: "html", label: "HTML" },
            { value: "text", label: "Plain text" },
          ]}
        />
        <span class="preview-state" role="status">
          {stale ? (
            <>
              <Spinner small /> Updating…
            </>
          ) : result.error ? (
            <span class="text-danger">Not updated</span>
          ) : (
            <>
              <Icon name="check" size={14} /> Up to date
            </>
          )}
        </span>
      </div>
      {result.error && (
        <div class="preview-error" role="alert">
          <Icon name="alert" size={16} />
          <span>
            <strong>The draft cannot be rendered.</strong> {result.error}
          </span>
        </div>
      )}
      <div class="preview-body">
        {!email ? (
          <div class="preview-placeholder">{result.error ? "Fix the error to see the preview." : <Spinner />}</div>
        ) : view === "html" ? (
          <EmailFrame html={email.html} device={device} title="Email preview" dimmed={Boolean(result.error)} />
        ) : (
          <pre class={cx("plain-text", device === "mobile" && "is-mobile")} data-testid="preview-text">
            {email.text}
          </pre>
        )}
      </div>
    </section>
  );
}

/** The preview endpoint names "html" for every render failure; its message is what matters. */
function previewIssue(err: unknown): string | null {
  const issues = (err as { issues?: { message: string }[] }).issues;
  return issues?.[0]?.message ?? null;
}
