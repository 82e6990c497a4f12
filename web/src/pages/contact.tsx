/** A contact's profile: traits, custom properties, subscriptions with consent, the event timeline, edit and erase. */
import { useEffect, useState } from "preact/hooks";
import { api, errorMessage, fieldErrors, formError, settings } from "../api";
import { dayLabel, displayName, formatDateTime, formatMoney, formatNumber, formatRelative, formatTime, initials, localDayKey } from "../format";
import { Icon, type IconName } from "../icons";
import { navigate } from "../router";
import { useStore } from "../store";
import { useTitle } from "../title";
import type { Contact, ContactStatus, Subscription, TimelineEvent, Topic } from "../types";
import { Alert, Badge, Button, Card, ConfirmDialog, DefinitionList, Dialog, EmptyState, LoadError, Loading, RecordLoadFailed, RecordLoading, SelectField, TextArea, TextField, toast, type Tone, useAsync } from "../ui";
import { contactsListHref, StatusBadge, statusLabel } from "./contacts";

export function ContactPage({ id }: { id: string }) {
  const contact = useAsync(() => api.get<Contact>(`/contacts/${encodeURIComponent(id)}`), [id]);
  const [dialog, setDialog] = useState<"edit" | "erase" | null>(null);
  const conf = useStore(settings);
  const currency = conf?.store.currency ?? "USD";
  useTitle(contact.data ? displayName(contact.data) : "Contact");

  const back = { href: contactsListHref, label: "Contacts" };
  if (contact.error) {
    return (
      <RecordLoadFailed noun="contact" icon="user" back={back} error={contact.error} retry={contact.reload}
        gone="It may have been erased, or merged into another contact when an anonymous visitor identified themselves." />
    );
  }
  const c = contact.data;
  if (!c) return <RecordLoading noun="contact" back={back} />;
  const name = displayName(c);
  return (
    <div class="page">
      <header class="page-header profile-header">
        <div class="page-header-text">
          <a
            class="back-link"
            href={contactsListHref}
            onClick={(e) => {
              e.preventDefault();
              navigate(contactsListHref);
            }}
          >
            <Icon name="back" size={15} />
            Contacts
          </a>
          <div class="profile-title">
            <span class="avatar avatar-lg">{c.email || c.firstName || c.lastName ? initials(name) : <Icon name="user" size={22} />}</span>
            <div>
              <h1>{name}</h1>
              <div class="profile-meta">
                {c.email && name !== c.email && <span>{c.email}</span>}
                <StatusBadge status={c.status} />
                <span class="muted">Added {formatDateTime(c.createdAt)} via {c.source}</span>
              </div>
            </div>
          </div>
        </div>
        <div class="page-actions">
          <Button icon="edit" onClick={() => setDialog("edit")}>
            Edit
          </Button>
          <Button icon="trash" variant="danger" title="Delete (GDPR erasure)" onClick={() => setDialog("erase")}>
            Delete
          </Button>
        </div>
      </header>

      <div class="mini-stats">
        <MiniStat label="Orders" value={formatNumber(c.orderCount)} />
        <MiniStat label="Revenue" value={formatMoney(c.revenue, currency)} />
        <MiniStat label="Events" value={formatNumber(c.stats.events)} />
        <MiniStat label="Last activity" value={c.stats.lastEventAt ? formatRelative(c.stats.lastEventAt) : "None yet"} title={c.stats.lastEventAt ? formatDateTime(c.stats.lastEventAt) : undefined} />
      </div>

      <div class="profile-grid">
        <div class="stack-lg">
          <Card title="Profile">
            <DefinitionList
              items={[
                ["Email", c.email],
                ["First name", c.firstName],
                ["Last name", c.lastName],
                ["User ID", c.externalId && <code>{c.externalId}</code>],
                ["Phone", c.phone],
                ["Country", c.country],
                ["Time zone", c.timezone],
                ["Locale", c.locale],
                ["Birthday", c.birthday && formatBirthday(c.birthday)],
                ["First order", c.firstOrderAt && formatDateTime(c.firstOrderAt)],
                ["Last order", c.lastOrderAt && formatDateTime(c.lastOrderAt)],
                ["Updated", formatDateTime(c.updatedAt)],
              ]}
            />
          </Card>
          <Card title="Custom properties" subtitle="Traits from your store, forms and imports that are not standard fields.">
            {Object.keys(c.properties).length ? (
              <DefinitionList items={Object.entries(c.properties).map(([k, v]) => [<code>{k}</code>, <PropertyValue value={v} />])} />
            ) : (
              <p class="muted small">None yet. Traits sent with identify calls or extra CSV columns appear here.</p>
            )}
          </Card>
          {c.aliases.length > 0 && (
            <Card title="Linked identities" subtitle="Anonymous browser ids and former user ids that now resolve to this contact.">
              <ul class="alias-list">
                {c.aliases.map((a) => (
                  <li key={a.alias}>
                    <code>{a.alias}</code>
                    <span class="muted small">
                      {a.kind === "anonymous" ? "anonymous id" : "user id"} · {formatRelative(a.createdAt)}
                    </span>
                  </li>
                ))}
              </ul>
            </Card>
          )}
        </div>
        <div class="stack-lg">
          <Card title="Subscriptions" subtitle="What this person agreed to receive, and the record of how they agreed.">
            <Subscriptions subs={c.subscriptions} />
          </Card>
          <Card title="Activity" subtitle="Events from your store, forms and emails, newest first." flush>
            <Timeline contactId={c.id} currency={currency} />
          </Card>
        </div>
      </div>

      {dialog === "edit" && (
        <EditContactDialog
          contact={c}
          onClose={() => setDialog(null)}
          onSaved={(next) => {
            contact.setData(next);
            setDialog(null);
            toast("Contact saved");
          }}
        />
      )}
      {dialog === "erase" && (
        <ConfirmDialog
          title={`Erase ${name}?`}
          confirmLabel="Erase permanently"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await api.del(`/contacts/${c.id}`);
            toast(`${name} was erased`);
            navigate(contactsListHref);
          }}
        >
          <p>This is a GDPR erasure. It cannot be undone. Tern will permanently delete:</p>
          <ul>
            <li>the profile and all custom properties,</li>
            <li>every event in the activity timeline ({formatNumber(c.stats.events)}),</li>
            <li>subscriptions and their consent records, linked anonymous ids, and any flows in progress,</li>
            <li>copies of emails to this address in the outbox.</li>
          </ul>
          <p>
            Sent-email records stay in your reports without the address. {c.email ? "The address itself is kept only as a one-way hash on the suppression list, so Tern never emails it again and a later import cannot re-add it." : ""}
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function MiniStat({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <div class="mini-stat" title={title}>
      <span class="mini-stat-label">{label}</span>
      <span class="mini-stat-value">{value}</span>
    </div>
  );
}

function formatBirthday(b: string): string {
  const m = /^(\d{4}|-)-?(\d{2})-(\d{2})$/.exec(b);
  if (!m) return b;
  const month = new Date(Date.UTC(2000, Number(m[2]) - 1, 1)).toLocaleString(undefined, { month: "long", timeZone: "UTC" });
  return m[1] === "-" ? `${Number(m[3])} ${month}` : `${Number(m[3])} ${month} ${m[1]}`;
}

function PropertyValue({ value }: { value: unknown }) {
  if (value === null) return <span class="muted">null</span>;
  if (typeof value === "string") return <span class="break">{value}</span>;
  if (typeof value === "number" || typeof value === "boolean") return <code>{String(value)}</code>;
  return <code class="break">{JSON.stringify(value)}</code>;
}

// ---- subscriptions --------------------------------------------------------------------------------------

const subTone: Record<Subscription["status"], Tone> = { subscribed: "green", pending: "amber", unsubscribed: "neutral" };
const subLabel: Record<Subscription["status"], string> = { subscribed: "Subscribed", pending: "Awaiting confirmation", unsubscribed: "Unsubscribed" };
const sourceLabel: Record<string, string> = { form: "Signup form", import: "CSV import", api: "API", ingest: "Event ingest", admin: "Added by an admin", preference_center: "Preference center" };

function Subscriptions({ subs }: { subs: Subscription[] }) {
  if (!subs.length) {
    return <p class="muted small">Not subscribed to any topic. Subscribe them with Edit, or they can sign up through a form.</p>;
  }
  return (
    <ul class="subs">
      {subs.map((s) => (
        <li key={s.topicId} class="sub">
          <div class="sub-head">
            <div>
              <strong>{s.name}</strong>
              <span class="muted small"> · {s.kind === "marketing" ? "Marketing" : "Transactional"}</span>
            </div>
            <Badge tone={subTone[s.status]} dot>
              {subLabel[s.status]}
            </Badge>
          </div>
          <dl class="consent">
            <div>
              <dt>Source</dt>
              <dd>{sourceLabel[s.source] ?? s.source}</dd>
            </div>
            <div>
              <dt>Subscribed</dt>
              <dd>{formatDateTime(s.subscribedAt)}</dd>
            </div>
            {s.confirmedAt && (
              <div>
                <dt>Confirmed</dt>
                <dd>{formatDateTime(s.confirmedAt)}</dd>
              </div>
            )}
            {s.unsubscribedAt && (
              <div>
                <dt>Unsubscribed</dt>
                <dd>{formatDateTime(s.unsubscribedAt)}</dd>
              </div>
            )}
            <div>
              <dt>IP address</dt>
              <dd>{s.ip ? <code>{s.ip}</code> : <span class="muted">not recorded</span>}</dd>
            </div>
            {s.pageUrl && (
              <div class="consent-wide">
                <dt>Page</dt>
                <dd class="break">{s.pageUrl}</dd>
              </div>
            )}
            <div class="consent-wide">
              <dt>Consent text</dt>
              <dd>{s.consentText ? <q>{s.consentText}</q> : <span class="muted">not recorded</span>}{s.consentVersion && <span class="muted small"> (version {s.consentVersion})</span>}</dd>
            </div>
          </dl>
        </li>
      ))}
    </ul>
  );
}

// ---- timeline -------------------------------------------------------------------------------------------

function Timeline({ contactId, currency }: { contactId: number; currency: string }) {
  const [state, setState] = useState<{ items: TimelineEvent[]; cursor: string | null; loading: boolean; error: unknown; loaded: boolean }>({ items: [], cursor: null, loading: true, error: null, loaded: false });
  const load = async (cursor: string | null) => {
    setState((s) => ({ ...s, loading: true, error: null }));
    try {
      const page = await api.get<{ items: TimelineEvent[]; nextCursor: string | null }>(`/contacts/${contactId}/events?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      setState((s) => ({ items: cursor ? [...s.items, ...page.items] : page.items, cursor: page.nextCursor, loading: false, error: null, loaded: true }));
    } catch (error) {
      setState((s) => ({ ...s, loading: false, error }));
    }
  };
  useEffect(() => void load(null), [contactId]);

  if (!state.loaded && state.loading) return <Loading label="Loading activity…" />;
  if (!state.loaded && state.error) return <div class="card-pad"><LoadError error={state.error} retry={() => load(null)} /></div>;
  if (!state.items.length) {
    return (
      <EmptyState icon="bolt" title="No activity yet" compact>
        Events such as page views, products viewed and orders appear here once your store sends them for this person.
      </EmptyState>
    );
  }
  const groups: { key: string; label: string; items: TimelineEvent[] }[] = [];
  for (const e of state.items) {
    const key = localDayKey(e.occurredAt);
    const last = groups[groups.length - 1];
    if (last?.key === key) last.items.push(e);
    else groups.push({ key, label: dayLabel(e.occurredAt), items: [e] });
  }
  return (
    <div class="timeline">
      {groups.map((g) => (
        <section key={g.key} class="timeline-day">
          <h3 class="timeline-date">{g.label}</h3>
          <ol>
            {g.items.map((e) => (
              <TimelineItem key={e.id} e={e} currency={currency} />
            ))}
          </ol>
        </section>
      ))}
      <div class="timeline-footer">
        {state.error !== null && <span class="text-danger small">{errorMessage(state.error)}</span>}
        {state.cursor ? (
          <Button size="sm" loading={state.loading} onClick={() => load(state.cursor)}>
            Load older events
          </Button>
        ) : (
          <span class="muted small">That is everything: {state.items.length === 1 ? "1 event" : `${formatNumber(state.items.length)} events`}.</span>
        )}
      </div>
    </div>
  );
}

const ORDER_EVENTS = new Set(["Order Completed", "Order Refunded", "Order Cancelled", "Order Updated"]);
const CART_EVENTS = new Set(["Product Added", "Product Removed", "Cart Viewed", "Checkout Started", "Checkout Step Completed", "Payment Info Entered"]);

function eventLook(e: TimelineEvent): { icon: IconName; tone: string } {
  if (e.type === "email" || e.name.startsWith("Email ")) return { icon: "mail", tone: "violet" };
  if (ORDER_EVENTS.has(e.name)) return { icon: "cart", tone: "green" };
  if (CART_EVENTS.has(e.name)) return { icon: "cart", tone: "amber" };
  if (e.name.startsWith("Product")) return { icon: "eye", tone: "blue" };
  if (e.type === "page" || e.type === "screen") return { icon: "globe", tone: "neutral" };
  if (e.type === "identify" || e.type === "system") return { icon: "user", tone: "neutral" };
  return { icon: "bolt", tone: "blue" };
}

const str = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v : typeof v === "number" ? String(v) : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v.trim() && Number.isFinite(Number(v)) ? Number(v) : null);

/** The few facts that matter for an event: products and amount for ecommerce, the page for page views, else a few scalars. */
function summarize(e: TimelineEvent, fallbackCurrency: string): { products: string[]; more: number; amount: string | null; details: [string, string][] } {
  const p = e.properties ?? {};
  const currency = str(p.currency)?.toUpperCase() ?? fallbackCurrency;
  const list = Array.isArray(p.products) ? (p.products as Record<string, unknown>[]) : [];
  const names = list.map((x) => (x && typeof x === "object" ? str(x.name) ?? str(x.sku) ?? str(x.product_id) : null)).filter((x): x is string => Boolean(x));
  if (!names.length && e.name.startsWith("Product") && (str(p.name) || str(p.product_id))) names.push((str(p.name) ?? str(p.product_id))!);
  const value = e.value ?? num(p.revenue) ?? num(p.total) ?? num(p.value) ?? (e.name.startsWith("Product") ? num(p.price) : null);
  const amount = value !== null ? formatMoney(value, currency) : null;
  const details: [string, string][] = [];
  if (e.type === "page" || e.type === "screen") {
    const where = str(p.title) ?? str(p.path) ?? str(p.url);
    if (where) details.push(["", where]);
  } else if (!names.length) {
    for (const [k, v] of Object.entries(p)) {
      if (details.length >= 3) break;
      if (["revenue", "total", "value", "currency"].includes(k)) continue;
      const s = typeof v === "boolean" ? String(v) : str(v);
      if (s) details.push([k, s.length > 80 ? `${s.slice(0, 80)}…` : s]);
    }
  }
  if (ORDER_EVENTS.has(e.name) && str(p.order_id)) details.unshift(["order", `#${str(p.order_id)}`]);
  return { products: names.slice(0, 3), more: Math.max(0, names.length - 3), amount, details };
}

function TimelineItem({ e, currency }: { e: TimelineEvent; currency: string }) {
  const [open, setOpen] = useState(false);
  const look = eventLook(e);
  const s = summarize(e, currency);
  const raw = { type: e.type, name: e.name, occurredAt: new Date(e.occurredAt).toISOString(), source: e.source, value: e.value, properties: e.properties, context: e.context };
  return (
    <li class="event">
      <span class={`event-icon tone-${look.tone}`}>
        <Icon name={look.icon} size={15} />
      </span>
      <div class="event-body">
        <div class="event-line">
          <span class="event-name">{e.name}</span>
          {s.amount && <span class={ORDER_EVENTS.has(e.name) ? "event-amount is-order" : "event-amount"}>{s.amount}</span>}
          <time class="event-time" dateTime={new Date(e.occurredAt).toISOString()} title={formatDateTime(e.occurredAt)}>
            {formatTime(e.occurredAt)}
          </time>
        </div>
        {(s.products.length > 0 || s.details.length > 0) && (
          <div class="event-summary">
            {s.details.map(([k, v]) => (
              <span key={k + v} class="event-detail">
                {k && <span class="muted">{k} </span>}
                {v}
              </span>
            ))}
            {s.products.map((name, i) => (
              <span key={i} class="chip">
                {name}
              </span>
            ))}
            {s.more > 0 && <span class="muted small">+{s.more} more</span>}
          </div>
        )}
        <button type="button" class="link-btn event-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? "Hide details" : "Details"}
          <Icon name={open ? "chevronDown" : "chevronRight"} size={14} />
        </button>
        {open && <pre class="json">{JSON.stringify(raw, null, 2)}</pre>}
      </div>
    </li>
  );
}

// ---- editing --------------------------------------------------------------------------------------------

const FIELDS = [
  ["firstName", "First name"],
  ["lastName", "Last name"],
  ["email", "Email"],
  ["externalId", "User ID"],
  ["phone", "Phone"],
  ["country", "Country"],
  ["timezone", "Time zone"],
  ["locale", "Locale"],
  ["birthday", "Birthday"],
] as const;
type FieldKey = (typeof FIELDS)[number][0];

function EditContactDialog({ contact, onClose, onSaved }: { contact: Contact; onClose: () => void; onSaved: (c: Contact) => void }) {
  const initial = Object.fromEntries(FIELDS.map(([k]) => [k, contact[k] ?? ""])) as Record<FieldKey, string>;
  const [form, setForm] = useState(initial);
  const [status, setStatus] = useState<ContactStatus>(contact.status);
  const [props, setProps] = useState(Object.keys(contact.properties).length ? JSON.stringify(contact.properties, null, 2) : "{}");
  const topics = useAsync(() => api.get<{ items: Topic[] }>("/topics").then((r) => r.items), []);
  const subscribed = new Set(contact.subscriptions.filter((s) => s.status !== "unsubscribed").map((s) => s.key));
  const [topicState, setTopicState] = useState<Record<string, boolean>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: FieldKey) => (v: string) => setForm({ ...form, [k]: v });

  const submit = async () => {
    const body: Record<string, unknown> = {};
    const local: Record<string, string> = {};
    for (const [k] of FIELDS) {
      const v = form[k].trim();
      if (v === (initial[k] ?? "").trim()) continue;
      if (k === "email" && !v) {
        local.email = "A contact's email cannot be removed here; erase the contact instead";
        continue;
      }
      body[k] = v || null;
    }
    if (status !== contact.status) body.status = status;
    let parsed: unknown;
    try {
      parsed = JSON.parse(props.trim() || "{}");
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error();
    } catch {
      local.properties = 'Enter a JSON object, e.g. {"plan": "gold", "pets": 2}';
    }
    if (Object.keys(local).length) return setErrors(local);
    // Properties merge on the server: send what changed, and null for what was removed.
    const next = parsed as Record<string, unknown>;
    const changes: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(next)) if (JSON.stringify(v) !== JSON.stringify(contact.properties[k])) changes[k] = v;
    for (const k of Object.keys(contact.properties)) if (!(k in next)) changes[k] = null;
    if (Object.keys(changes).length) body.properties = changes;
    const topicChanges = Object.fromEntries(Object.entries(topicState).filter(([k, on]) => on !== subscribed.has(k)).map(([k, on]) => [k, on ? "subscribed" : "unsubscribed"]));
    if (Object.keys(topicChanges).length) body.topics = topicChanges;
    if (!Object.keys(body).length) return onClose();

    setBusy(true);
    setErrors({});
    setError(null);
    try {
      onSaved(await api.patch<Contact>(`/contacts/${contact.id}`, body));
    } catch (err) {
      const fe = fieldErrors(err);
      // Property issues come back as "properties" or "properties.key".
      for (const k of Object.keys(fe)) {
        if (k.startsWith("properties.")) fe.properties ??= fe[k]!;
        if (k.startsWith("topics.")) fe.topics ??= `${k.slice(7)}: ${fe[k]}`;
      }
      setErrors(fe);
      setError(formError(err, [...FIELDS.map(([k]) => k), "status", "properties", "topics"]));
      setBusy(false);
    }
  };

  const text = (k: FieldKey, label: string, extra: Record<string, unknown> = {}) => <TextField label={label} value={form[k]} onValue={set(k)} error={errors[k]} {...extra} />;
  return (
    <Dialog
      wide
      title="Edit contact"
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" loading={busy}>
            Save changes
          </Button>
        </>
      }
    >
      {error && <Alert>{error}</Alert>}
      <div class="grid-2">
        {text("firstName", "First name", { autoFocus: true })}
        {text("lastName", "Last name")}
        {text("email", "Email", { type: "email" })}
        {text("externalId", "User ID", { hint: "Your store's customer id (Segment userId)", mono: true })}
        {text("phone", "Phone", { type: "tel" })}
        {text("country", "Country")}
        {text("timezone", "Time zone", { placeholder: "Europe/Paris", hint: "An IANA name; used for local-time sending" })}
        {text("locale", "Locale", { placeholder: "en-GB" })}
        {text("birthday", "Birthday", { placeholder: "YYYY-MM-DD or MM-DD" })}
        <SelectField
          label="Status"
          value={status}
          onValue={(v) => setStatus(v as ContactStatus)}
          hint="Only active contacts can receive marketing email."
          error={errors.status}
          options={(["active", "unsubscribed", "bounced", "complained"] as const).map((s) => ({ value: s, label: statusLabel[s] }))}
        />
      </div>
      <fieldset class="fieldset">
        <legend>Topics</legend>
        {topics.data ? (
          topics.data.length ? (
            <div class="topic-toggles">
              {topics.data.map((t) => {
                const on = topicState[t.key] ?? subscribed.has(t.key);
                return (
                  <label key={t.key} class="checkbox">
                    <input type="checkbox" checked={on} onChange={(e) => setTopicState({ ...topicState, [t.key]: e.currentTarget.checked })} />
                    <span class="checkbox-label">{t.name}</span>
                  </label>
                );
              })}
            </div>
          ) : (
            <p class="field-hint">No topics exist yet. Create them in Settings → Topics.</p>
          )
        ) : (
          <Loading label="Loading topics…" />
        )}
        {errors["topics"] && <p class="field-error">{errors["topics"]}</p>}
      </fieldset>
      <TextArea label="Custom properties" mono rows={6} value={props} onValue={setProps} error={errors.properties} hint="A JSON object. Remove a key to delete that property." />
    </Dialog>
  );
}
