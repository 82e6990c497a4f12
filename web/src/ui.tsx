/** The design system: buttons, fields, cards, badges, dialogs, toasts, empty and loading states. */
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { ApiError, errorMessage } from "./api";
import { capitalize } from "./format";
import { Icon, type IconName } from "./icons";
import { Link } from "./router";
import { store, useStore } from "./store";

const cx = (...names: (string | false | null | undefined)[]) => names.filter(Boolean).join(" ");

// ---- buttons --------------------------------------------------------------------------------------------

type Variant = "primary" | "secondary" | "ghost" | "danger";
interface ButtonOwnProps {
  variant?: Variant;
  size?: "sm" | "md";
  icon?: IconName;
  loading?: boolean;
}
type ButtonProps = Omit<JSX.ButtonHTMLAttributes<HTMLButtonElement>, "icon" | "size" | "loading"> & ButtonOwnProps;

export function Button({ variant = "secondary", size = "md", icon, loading, children, class: cls, type, disabled, ...rest }: ButtonProps) {
  return (
    <button
      type={(type as "button" | "submit" | undefined) ?? "button"}
      class={cx("btn", `btn-${variant}`, size === "sm" && "btn-sm", loading && "is-loading", cls as string)}
      disabled={Boolean(disabled) || loading}
      aria-busy={loading ? "true" : undefined}
      {...rest}
    >
      {loading ? <Spinner small /> : icon ? <Icon name={icon} size={size === "sm" ? 15 : 16} /> : null}
      {children}
    </button>
  );
}

/** A link that looks like a button; `download` or `external` make it a plain anchor. */
export function ButtonLink({ href, variant = "secondary", size = "md", icon, children, download, external }: ButtonOwnProps & { href: string; children: ComponentChildren; download?: boolean; external?: boolean }) {
  const cls = cx("btn", `btn-${variant}`, size === "sm" && "btn-sm");
  const inner = (
    <>
      {icon && <Icon name={icon} size={size === "sm" ? 15 : 16} />}
      {children}
    </>
  );
  if (download || external) {
    return (
      <a class={cls} href={href} download={download ? "" : undefined} target={external ? "_blank" : undefined} rel={external ? "noopener noreferrer" : undefined}>
        {inner}
      </a>
    );
  }
  return (
    <Link class={cls} href={href}>
      {inner}
    </Link>
  );
}

export function IconButton({ icon, label, onClick, class: cls }: { icon: IconName; label: string; onClick: () => void; class?: string }) {
  return (
    <button type="button" class={cx("icon-btn", cls)} aria-label={label} title={label} onClick={onClick}>
      <Icon name={icon} size={16} />
    </button>
  );
}

export function Spinner({ small }: { small?: boolean }) {
  return <span class={cx("spinner", small && "spinner-sm")} role="presentation" />;
}

// ---- form fields ----------------------------------------------------------------------------------------

interface FieldShell {
  label: ComponentChildren;
  hint?: ComponentChildren;
  error?: string;
  class?: string;
  /** shown after the label, e.g. "Optional" */
  aside?: ComponentChildren;
}

function Field({ id, label, hint, error, class: cls, aside, children }: FieldShell & { id: string; children: ComponentChildren }) {
  return (
    <div class={cx("field", error && "has-error", cls)}>
      <div class="field-label-row">
        <label class="field-label" for={id}>
          {label}
        </label>
        {aside && <span class="field-aside">{aside}</span>}
      </div>
      {children}
      {error ? (
        <p class="field-error" id={`${id}-msg`} role="alert">
          {error}
        </p>
      ) : hint ? (
        <p class="field-hint" id={`${id}-msg`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

type InputAttrs = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "label" | "value" | "onInput" | "class" | "error">;

export function TextField({ label, hint, error, aside, value, onValue, class: cls, mono, ...attrs }: FieldShell & InputAttrs & { value: string; onValue: (v: string) => void; mono?: boolean }) {
  const id = useId();
  return (
    <Field id={id} label={label} hint={hint} error={error} aside={aside} class={cls}>
      <input
        id={id}
        class={cx("input", mono && "mono")}
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error || hint ? `${id}-msg` : undefined}
        {...attrs}
      />
    </Field>
  );
}

export function TextArea({ label, hint, error, aside, value, onValue, rows = 3, mono, class: cls, ...attrs }: FieldShell & Omit<JSX.TextareaHTMLAttributes<HTMLTextAreaElement>, "label" | "value" | "onInput" | "class" | "error"> & { value: string; onValue: (v: string) => void; rows?: number; mono?: boolean }) {
  const id = useId();
  return (
    <Field id={id} label={label} hint={hint} error={error} aside={aside} class={cls}>
      <textarea
        id={id}
        class={cx("input", "textarea", mono && "mono")}
        rows={rows}
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error || hint ? `${id}-msg` : undefined}
        {...attrs}
      />
    </Field>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField({ label, hint, error, aside, value, onValue, options, class: cls, disabled }: FieldShell & { value: string; onValue: (v: string) => void; options: Option[]; disabled?: boolean }) {
  const id = useId();
  return (
    <Field id={id} label={label} hint={hint} error={error} aside={aside} class={cls}>
      <Select id={id} value={value} onValue={onValue} options={options} disabled={disabled} invalid={Boolean(error)} />
    </Field>
  );
}

export function Select({ id, value, onValue, options, label, disabled, invalid }: { id?: string; value: string; onValue: (v: string) => void; options: Option[]; label?: string; disabled?: boolean; invalid?: boolean }) {
  return (
    <span class="select-wrap">
      <select id={id} class="input select" value={value} aria-label={label} disabled={disabled} aria-invalid={invalid ? "true" : undefined} onChange={(e) => onValue(e.currentTarget.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Icon name="chevronDown" size={16} class="select-chevron" />
    </span>
  );
}

export function Checkbox({ label, checked, onChange, hint, disabled }: { label: ComponentChildren; checked: boolean; onChange: (v: boolean) => void; hint?: ComponentChildren; disabled?: boolean }) {
  return (
    <label class={cx("checkbox", disabled && "is-disabled")}>
      <input type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.currentTarget.checked)} />
      <span>
        <span class="checkbox-label">{label}</span>
        {hint && <span class="checkbox-hint">{hint}</span>}
      </span>
    </label>
  );
}

/** A row of mutually exclusive choices, e.g. identified / anonymous / all contacts. */
export function Segmented({ value, onValue, options, label }: { value: string; onValue: (v: string) => void; options: Option[]; label: string }) {
  return (
    <div class="segmented" role="radiogroup" aria-label={label}>
      {options.map((o) => (
        <button key={o.value} type="button" role="radio" aria-checked={value === o.value} class={cx(value === o.value && "is-active")} onClick={() => onValue(o.value)}>
          {o.label}
        </button>
      ))}
    </div>
  );
}

// ---- layout pieces --------------------------------------------------------------------------------------

export function PageHeader({ title, subtitle, actions, back }: { title: ComponentChildren; subtitle?: ComponentChildren; actions?: ComponentChildren; back?: { href: string; label: string } }) {
  return (
    <header class="page-header">
      <div class="page-header-text">
        {back && (
          <Link class="back-link" href={back.href}>
            <Icon name="back" size={15} />
            {back.label}
          </Link>
        )}
        <h1>{title}</h1>
        {subtitle && <p class="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div class="page-actions">{actions}</div>}
    </header>
  );
}

export function Card({ title, subtitle, actions, children, class: cls, flush }: { title?: ComponentChildren; subtitle?: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren; class?: string; flush?: boolean }) {
  return (
    <section class={cx("card", cls)}>
      {(title || actions) && (
        <header class="card-header">
          <div>
            {title && <h2 class="card-title">{title}</h2>}
            {subtitle && <p class="card-subtitle">{subtitle}</p>}
          </div>
          {actions && <div class="card-actions">{actions}</div>}
        </header>
      )}
      <div class={cx("card-body", flush && "is-flush")}>{children}</div>
    </section>
  );
}

export type Tone = "neutral" | "green" | "red" | "amber" | "blue";

export function Badge({ tone = "neutral", children, dot }: { tone?: Tone; children: ComponentChildren; dot?: boolean }) {
  return (
    <span class={cx("badge", `badge-${tone}`)}>
      {dot && <span class="badge-dot" />}
      {children}
    </span>
  );
}

export function EmptyState({ icon, title, children, actions, compact }: { icon: IconName; title: string; children?: ComponentChildren; actions?: ComponentChildren; compact?: boolean }) {
  return (
    <div class={cx("empty", compact && "empty-compact")}>
      <div class="empty-icon">
        <Icon name={icon} size={compact ? 20 : 24} />
      </div>
      <h3>{title}</h3>
      {children && <p>{children}</p>}
      {actions && <div class="empty-actions">{actions}</div>}
    </div>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div class="loading" role="status">
      <Spinner />
      <span>{label}</span>
    </div>
  );
}

export function Alert({ tone = "red", title, children, action }: { tone?: "red" | "amber" | "blue" | "green"; title?: ComponentChildren; children?: ComponentChildren; action?: ComponentChildren }) {
  return (
    <div class={cx("alert", `alert-${tone}`)} role={tone === "red" ? "alert" : "status"}>
      <Icon name={tone === "red" || tone === "amber" ? "alert" : tone === "green" ? "check" : "info"} size={18} />
      <div class="alert-text">
        {title && <strong>{title}</strong>}
        {children && <div>{children}</div>}
      </div>
      {action}
    </div>
  );
}

/** A failed load, with a retry. */
export function LoadError({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <Alert title="This could not be loaded" action={retry && <Button size="sm" onClick={retry}>Try again</Button>}>
      {errorMessage(error)}
    </Alert>
  );
}

/**
 * A record's page (a campaign, flow, form, segment, template, contact) whose record could not be loaded: "does not
 * exist" when the server answered one of `missingStatuses`, otherwise the error with a retry.
 */
export function RecordLoadFailed({ noun, icon, back, error, retry, gone = "It may have been deleted.", listLink = false, missingStatuses = [404] }: {
  /** "campaign", "flow"…: the page title is the noun capitalised */
  noun: string;
  icon: IconName;
  back: { href: string; label: string };
  error: unknown;
  retry: () => void;
  /** why it might be missing */
  gone?: ComponentChildren;
  /** a button back to the list ("All campaigns") */
  listLink?: boolean;
  missingStatuses?: number[];
}) {
  const missing = error instanceof ApiError && missingStatuses.includes(error.status);
  return (
    <div class="page">
      <PageHeader title={capitalize(noun)} back={back} />
      {missing ? (
        <div class="card">
          <EmptyState icon={icon} title={`This ${noun} does not exist`} actions={listLink ? <Link class="btn btn-secondary" href={back.href}>All {back.label.toLowerCase()}</Link> : undefined}>
            {gone}
          </EmptyState>
        </div>
      ) : (
        <LoadError error={error} retry={retry} />
      )}
    </div>
  );
}

/** A record's page while its record loads. */
export function RecordLoading({ noun, back }: { noun: string; back: { href: string; label: string } }) {
  return (
    <div class="page">
      <PageHeader title=" " back={back} />
      <Loading label={`Loading ${noun}…`} />
    </div>
  );
}

export function Tabs({ items, current }: { items: { href: string; label: string }[]; current: string }) {
  return (
    <nav class="tabs" aria-label="Sections">
      {items.map((t) => (
        <Link key={t.href} href={t.href} class={cx("tab", current === t.href && "is-active")} aria-current={current === t.href ? "page" : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}

export function DefinitionList({ items }: { items: [ComponentChildren, ComponentChildren][] }) {
  return (
    <dl class="deflist">
      {items.map(([k, v], i) => (
        <div key={i} class="deflist-row">
          <dt>{k}</dt>
          <dd>{v === null || v === undefined || v === "" ? <span class="muted">—</span> : v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(100, Math.round(value * 100)));
  return (
    <div class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
      <div class="progress-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}

// ---- dialogs --------------------------------------------------------------------------------------------

/**
 * A modal on the native <dialog>: focus moves in and is trapped, Esc closes, and so does a click on the
 * backdrop. With `onSubmit` the body and footer form one <form>, so Enter submits.
 */
export function Dialog({ title, description, onClose, onSubmit, children, footer, wide }: { title: ComponentChildren; description?: ComponentChildren; onClose: () => void; onSubmit?: () => void; children: ComponentChildren; footer?: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const downOnBackdrop = useRef(false);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current!;
    const previous = document.activeElement as HTMLElement | null;
    if (!d.open) d.showModal();
    return () => {
      d.close();
      previous?.focus?.();
    };
  }, []);
  const body = (
    <>
      <div class="dialog-body">{children}</div>
      {footer && <div class="dialog-footer">{footer}</div>}
    </>
  );
  return (
    <dialog
      ref={ref}
      class={cx("dialog", wide && "dialog-wide")}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onMouseDown={(e) => (downOnBackdrop.current = e.target === ref.current)}
      onClick={(e) => {
        if (e.target === ref.current && downOnBackdrop.current) onClose();
      }}
    >
      <div class="dialog-header">
        <div>
          <h2 id={titleId}>{title}</h2>
          {description && <p class="dialog-description">{description}</p>}
        </div>
        <IconButton icon="close" label="Close" onClick={onClose} />
      </div>
      {onSubmit ? (
        <form
          class="dialog-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            onSubmit();
          }}
        >
          {body}
        </form>
      ) : (
        body
      )}
    </dialog>
  );
}

/** Asks before something irreversible; shows the error in place if it fails. */
export function ConfirmDialog({ title, children, confirmLabel, dismissLabel = "Cancel", danger = true, onConfirm, onClose }: { title: string; children: ComponentChildren; confirmLabel: string; /** The way out, saying what it keeps where "Cancel" would be ambiguous ("Keep sending"). */ dismissLabel?: string; danger?: boolean; onConfirm: () => Promise<unknown>; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={title}
      onClose={onClose}
      onSubmit={confirm}
      footer={
        <>
          <Button onClick={onClose}>{dismissLabel}</Button>
          <Button type="submit" variant={danger ? "danger" : "primary"} loading={busy}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div class="prose">{children}</div>
      {error !== null && <Alert>{errorMessage(error)}</Alert>}
    </Dialog>
  );
}

// ---- copying --------------------------------------------------------------------------------------------

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API refused (permissions, insecure origin): fall back to a selection copy.
    const ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.position = "fixed";
    ta.style.opacity = "0";
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand("copy");
    ta.remove();
    return ok;
  }
}

export function CopyButton({ text, label = "Copy", size = "sm" }: { text: string; label?: string; size?: "sm" | "md" }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 1600);
    return () => clearTimeout(t);
  }, [copied]);
  return (
    <Button size={size} icon={copied ? "check" : "copy"} onClick={async () => setCopied(await copyText(text))} aria-label={`${label} to clipboard`}>
      {copied ? "Copied" : label}
    </Button>
  );
}

/** A secret or id in a read-only box with a copy button. */
export function CopyField({ value, label, testId }: { value: string; label: string; testId?: string }) {
  const id = useId();
  return (
    <div class="field">
      <label class="field-label" for={id}>
        {label}
      </label>
      <div class="copy-field">
        <input id={id} class="input mono" readOnly value={value} data-testid={testId} onFocus={(e) => e.currentTarget.select()} />
        <CopyButton text={value} size="md" />
      </div>
    </div>
  );
}

export function CodeBlock({ code, title }: { code: string; title?: string }) {
  return (
    <div class="code-block">
      <div class="code-block-header">
        <span>{title}</span>
        <CopyButton text={code} />
      </div>
      <pre>
        <code>{code}</code>
      </pre>
    </div>
  );
}

// ---- toasts ---------------------------------------------------------------------------------------------

interface Toast {
  id: number;
  message: string;
  tone: "green" | "red" | "neutral";
  action?: { label: string; href: string };
}
const toasts = store<Toast[]>([]);
let toastSeq = 0;

const dismiss = (id: number) => toasts.set(toasts.get().filter((t) => t.id !== id));

/** A short message in the corner; with `action`, a link to follow up (it then stays a little longer). */
export function toast(message: string, tone: Toast["tone"] = "green", action?: Toast["action"]): void {
  const id = ++toastSeq;
  toasts.set([...toasts.get(), { id, message, tone, action }]);
  setTimeout(() => dismiss(id), tone === "red" || action ? 7000 : 3500);
}

export function Toaster() {
  const items = useStore(toasts);
  return (
    <div class="toaster" aria-live="polite">
      {items.map((t) => (
        <div key={t.id} class={cx("toast", `toast-${t.tone}`)}>
          <Icon name={t.tone === "red" ? "alert" : "check"} size={16} />
          <span class="toast-text">{t.message}</span>
          {t.action && (
            <Link class="toast-action" href={t.action.href} onClick={() => dismiss(t.id)}>
              {t.action.label}
            </Link>
          )}
        </div>
      ))}
    </div>
  );
}

// ---- data loading ---------------------------------------------------------------------------------------

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (d: T) => void;
}

/** A column of a TableSkeleton: its heading, the width of its grey bars in %, and the heading's class ("num", "col-hide-narrow"). */
export type SkeletonColumn = [heading: string, width: number, cls?: string];

/**
 * A list page's placeholder while its table loads: the real column headings over a few grey rows.
 * @example <TableSkeleton label="Loading flows" rows={4} columns={[["Flow", 44], ["Sent", 10, "num col-hide-narrow"]]} />
 */
export function TableSkeleton({ label, rows, columns }: { label: string; rows: number; columns: SkeletonColumn[] }) {
  // a cell keeps its column's visibility class; "num" only right-aligns the heading
  const cellClass = (cls?: string) => cls?.split(" ").filter((c) => c !== "num").join(" ") || undefined;
  return (
    <div class="card table-card" aria-busy="true" aria-label={label}>
      <table class="table">
        <thead>
          <tr>
            {columns.map(([heading, , cls]) => (
              <th key={heading} class={cls}>
                {heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: rows }, (_, i) => (
            <tr key={i}>
              {columns.map(([, w, cls], j) => (
                <td key={j} class={cellClass(cls)}>
                  <span class="skeleton" style={{ width: `${w + ((i * 7 + j * 3) % 12)}%` }} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Loads something for each row of a list three at a time, so a long list fills in row by row without flooding
 * the server; a row whose load fails holds `{ error }`. Starts again when `items` changes.
 * @example const details = useEachRow(list.data, (f) => api.get<FlowDetail>(`/flows/${f.id}`));
 */
export function useEachRow<T extends { id: number }, R>(items: T[] | undefined, load: (item: T) => Promise<R>): Map<number, R | { error: string }> {
  const [out, setOut] = useState<Map<number, R | { error: string }>>(new Map());
  useEffect(() => {
    if (!items) return;
    let cancelled = false;
    const queue = [...items];
    const worker = async () => {
      for (let item = queue.shift(); item && !cancelled; item = queue.shift()) {
        const id = item.id;
        const result = await load(item).then(
          (x): R | { error: string } => x,
          (err: unknown) => ({ error: errorMessage(err) }),
        );
        if (!cancelled) setOut((m) => new Map(m).set(id, result));
      }
    };
    void Promise.all([worker(), worker(), worker()]);
    return () => {
      cancelled = true;
    };
  }, [items]);
  return out;
}

/** Ctrl+S / Cmd+S calls `save` (the latest one passed), as in any editor, except while a dialog is open. */
export function useSaveShortcut(save: () => Promise<unknown>): void {
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s" && !document.querySelector("dialog[open]")) {
        e.preventDefault();
        void saveRef.current();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
}

/** Runs `load` when `deps` change; results of superseded calls are dropped. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => mine === seq.current && setState({ data, error: null, loading: false }),
      (error: unknown) => mine === seq.current && setState((s) => ({ ...s, error, loading: false })),
    );
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1), setData: (data) => setState({ data, error: null, loading: false }) };
}

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export { cx };
