/** The template editor's live preview: the unsaved draft rendered by the server for a chosen contact. */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorMessage, query } from "../api";
import { DeviceToggle, EmailFrame, InboxLine, type Device } from "../email-view";
import { displayName } from "../format";
import { Icon } from "../icons";
import type { ContactList, ContactSummary, RenderedEmail, Template } from "../types";
import { Segmented, Spinner, cx, useDebounced } from "../ui";

export type PreviewContact = Pick<ContactSummary, "id" | "email" | "firstName" | "lastName" | "externalId">;
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

/** Choose whose data the preview uses: the sample contact or a real one, found by name or email. */
export function ContactPicker({ value, onValue, inline }: { value: PreviewContact | null; onValue: (c: PreviewContact | null) => void; inline?: boolean }) {
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState("");
  const [items, setItems] = useState<ContactSummary[] | null>(null);
  const [active, setActive] = useState(0);
  const debounced = useDebounced(q, 200);
  const ref = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!open) return;
    let live = true;
    setItems(null);
    api.get<ContactList>(`/contacts${query({ q: debounced.trim(), kind: "identified", limit: 8 })}`).then(
      (r) => live && (setItems(r.items), setActive(0)),
      () => live && setItems([]),
    );
    return () => {
      live = false;
    };
  }, [debounced, open]);

  useEffect(() => {
    if (!open) return;
    input.current?.focus();
    const onDown = (e: MouseEvent) => ref.current && !ref.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);

  // Option 0 is the sample contact, then the search results.
  const options: (PreviewContact | null)[] = [null, ...(items ?? [])];
  const button = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    setQ("");
    button.current?.focus();
  };
  const choose = (c: PreviewContact | null) => {
    onValue(c);
    close();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown") (e.preventDefault(), setActive((a) => Math.min(options.length - 1, a + 1)));
    else if (e.key === "ArrowUp") (e.preventDefault(), setActive((a) => Math.max(0, a - 1)));
    else if (e.key === "Enter") (e.preventDefault(), choose(options[active] ?? null));
    else if (e.key === "Escape") (e.preventDefault(), e.stopPropagation(), close());
  };

  const label = value ? displayName(value) : "Sample contact";
  return (
    <div class={cx("picker", inline && "picker-inline")} ref={ref}>
      <button type="button" ref={button} class="picker-button" aria-haspopup="listbox" aria-expanded={open} onClick={() => setOpen(!open)} title="Whose data the preview uses">
        <Icon name="user" size={15} />
        <span class="picker-label">
          <span class="picker-caption">Preview as</span>
          <span class="picker-value">{label}</span>
        </span>
        <Icon name="chevronDown" size={15} />
      </button>
      {open && (
        <div class="picker-pop">
          <div class="search">
            <Icon name="search" size={16} />
            <input
              ref={input}
              class="input"
              type="search"
              placeholder="Search contacts by name or email"
              aria-label="Search contacts to preview as"
              role="combobox"
              aria-expanded="true"
              aria-controls="picker-options"
              aria-activedescendant={`picker-opt-${active}`}
              value={q}
              onInput={(e) => setQ(e.currentTarget.value)}
              onKeyDown={onKey}
            />
          </div>
          <ul class="picker-options" id="picker-options" role="listbox" aria-label="Contacts">
            {options.map((c, i) => (
              <li
                key={c?.id ?? "sample"}
                id={`picker-opt-${i}`}
                role="option"
                aria-selected={i === active}
                class={cx("picker-option", i === active && "is-active")}
                onMouseEnter={() => setActive(i)}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => choose(c)}
              >
                <span class="picker-option-name">{c ? displayName(c) : "Sample contact"}</span>
                <span class="picker-option-sub">{c ? c.email : "Jamie Rivera, with a two-product cart"}</span>
                {(c ? c.id === value?.id : !value) && <Icon name="check" size={15} class="picker-check" />}
              </li>
            ))}
            {items === null && (
              <li class="picker-empty">
                <Spinner small /> Searching…
              </li>
            )}
            {items?.length === 0 && <li class="picker-empty">No contacts match “{debounced}”.</li>}
          </ul>
          <p class="picker-foot">The event data (event.*) is a sample two-product cart for every contact.</p>
        </div>
      )}
    </div>
  );
}
