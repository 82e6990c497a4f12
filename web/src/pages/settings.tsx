/** Settings: store and sender details, sending (in ./sending), topics, ingest sources (write keys), API keys and the account. */
import { useState } from "preact/hooks";
import { api, fieldErrors, formError, session, settings as settingsStore } from "../api";
import { formatDate, formatNumber, formatRelative, plural } from "../format";
import { Redirect } from "../router";
import { SendingSettingsTab } from "./sending";
import { useStore } from "../store";
import { useTitle } from "../title";
import type { ApiKey, Settings, Topic, WriteKey } from "../types";
import {
  Alert, Badge, Button, Card, Checkbox, CodeBlock, ConfirmDialog, CopyField, DefinitionList, Dialog, EmptyState, LoadError, Loading, PageHeader, SelectField, Tabs, TextArea, TextField, toast, useAsync,
} from "../ui";

const tabs = [
  { key: "general", label: "General" },
  { key: "sending", label: "Sending" },
  { key: "topics", label: "Topics" },
  { key: "sources", label: "Sources" },
  { key: "api-keys", label: "API keys" },
  { key: "account", label: "Account" },
] as const;

export function SettingsPage({ tab }: { tab: string }) {
  const current = tabs.find((t) => t.key === tab);
  useTitle(current ? `${current.label} settings` : "Settings");
  if (!current) return <Redirect to="/settings/general" />;
  return (
    <div class="page">
      <PageHeader title="Settings" />
      <Tabs items={tabs.map((t) => ({ href: `/settings/${t.key}`, label: t.label }))} current={`/settings/${tab}`} />
      <div class="tab-panel">
        {tab === "general" && <GeneralSettings />}
        {tab === "sending" && <SendingSettingsTab />}
        {tab === "topics" && <TopicsSettings />}
        {tab === "sources" && <SourcesSettings />}
        {tab === "api-keys" && <ApiKeysSettings />}
        {tab === "account" && <AccountSettings />}
      </div>
    </div>
  );
}

// ---- general --------------------------------------------------------------------------------------------

const CURRENCIES = ["USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "JPY", "INR", "BRL", "MXN", "ZAR", "SGD", "HKD"];

function timezones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf("timeZone");
  } catch {
    return ["UTC"];
  }
}

function GeneralSettings() {
  const loaded = useAsync(() => api.get<Settings>("/settings"), []);
  if (loaded.error) return <LoadError error={loaded.error} retry={loaded.reload} />;
  if (!loaded.data) return <Loading />;
  return <GeneralForm initial={loaded.data} />;
}

function GeneralForm({ initial }: { initial: Settings }) {
  const [store, setStore] = useState(initial.store);
  const [sender, setSender] = useState(initial.sender);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const zones = timezones();
  const currencies = CURRENCIES.includes(store.currency) ? CURRENCIES : [store.currency, ...CURRENCIES];
  const s = (k: keyof Settings["store"]) => (v: string) => setStore({ ...store, [k]: v });
  const d = (k: keyof Settings["sender"]) => (v: string) => setSender({ ...sender, [k]: v });

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      const saved = await api.patch<Settings>("/settings", { store, sender });
      settingsStore.set(saved);
      setStore(saved.store);
      setSender(saved.sender);
      toast("Settings saved");
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(formError(err, ["store", "sender"]));
    }
    setBusy(false);
  };

  return (
    <form class="stack-lg settings-form" onSubmit={save} noValidate>
      {error && <Alert>{error}</Alert>}
      <Card title="Store" subtitle="Shown in your emails' footer and on the preference and unsubscribe pages.">
        <div class="grid-2">
          <TextField label="Store name" value={store.name} onValue={s("name")} error={errors["store.name"]} />
          <TextField label="Website" type="url" placeholder="https://example.com" value={store.website} onValue={s("website")} error={errors["store.website"]} />
          <TextArea
            class="span-2"
            label="Physical address"
            rows={2}
            value={store.address}
            onValue={s("address")}
            hint="Required by anti-spam laws (CAN-SPAM) in every marketing email."
            error={errors["store.address"]}
          />
          <TextField label="Logo URL" type="url" placeholder="https://example.com/logo.png" value={store.logoUrl} onValue={s("logoUrl")} hint="A PNG or SVG about 200 px wide, used at the top of emails." error={errors["store.logoUrl"]} />
          <div class="field">
            <label class="field-label" for="brand-color">
              Brand colour
            </label>
            <div class="color-field">
              <input type="color" aria-label="Pick brand colour" value={/^#[0-9a-f]{6}$/i.test(store.brandColor) ? store.brandColor : "#2563eb"} onInput={(e) => s("brandColor")(e.currentTarget.value)} />
              <input id="brand-color" class="input mono" value={store.brandColor} onInput={(e) => s("brandColor")(e.currentTarget.value)} aria-invalid={errors["store.brandColor"] ? "true" : undefined} />
            </div>
            {errors["store.brandColor"] ? <p class="field-error">{errors["store.brandColor"]}</p> : <p class="field-hint">Buttons and links in emails.</p>}
          </div>
          <SelectField label="Time zone" value={store.timezone} onValue={s("timezone")} options={(zones.includes(store.timezone) ? zones : [store.timezone, ...zones]).map((z) => ({ value: z, label: z.replace(/_/g, " ") }))} hint="For schedules and reports." error={errors["store.timezone"]} />
          <SelectField label="Currency" value={store.currency} onValue={s("currency")} options={currencies.map((c) => ({ value: c, label: c }))} hint="For revenue figures when events do not name one." error={errors["store.currency"]} />
        </div>
      </Card>
      <Card title="Default sender" subtitle="Used by flows and campaigns unless an email sets its own.">
        <div class="grid-2">
          <TextField label="From name" placeholder={store.name} value={sender.fromName} onValue={d("fromName")} error={errors["sender.fromName"]} />
          <TextField label="From email" type="email" placeholder="hello@example.com" value={sender.fromEmail} onValue={d("fromEmail")} hint="Use an address on a domain you have verified with your email provider." error={errors["sender.fromEmail"]} />
          <TextField label="Reply-to" type="email" placeholder="support@example.com" value={sender.replyTo} onValue={d("replyTo")} aside="Optional" error={errors["sender.replyTo"]} />
        </div>
      </Card>
      <div class="form-actions">
        <Button type="submit" variant="primary" loading={busy}>
          Save settings
        </Button>
      </div>
    </form>
  );
}

// ---- topics ---------------------------------------------------------------------------------------------

const slug = (s: string) => s.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);

function TopicsSettings() {
  const list = useAsync(() => api.get<{ items: Topic[] }>("/topics").then((r) => r.items), []);
  const [editing, setEditing] = useState<Topic | "new" | null>(null);
  const [deleting, setDeleting] = useState<Topic | null>(null);
  const actions = (
    <Button variant="primary" icon="plus" onClick={() => setEditing("new")}>
      New topic
    </Button>
  );
  return (
    <>
      <div class="section-intro">
        <p>Topics are the kinds of email people can subscribe to, such as a newsletter or product news. Every subscription keeps its own consent record, and the preference center lets people choose topics one by one.</p>
        {list.data && list.data.length > 0 && actions}
      </div>
      {list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.length === 0 ? (
        <div class="card">
          <EmptyState icon="mail" title="No topics yet" actions={actions}>
            Create your first topic, for example "Newsletter". Forms, imports and flows subscribe people to topics.
          </EmptyState>
        </div>
      ) : (
        <div class="card table-card">
          <table class="table">
            <thead>
              <tr>
                <th>Topic</th>
                <th>Key</th>
                <th>Kind</th>
                <th>Double opt-in</th>
                <th class="num">Subscribers</th>
                <th class="actions-col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((t) => (
                <tr key={t.id}>
                  <td>
                    <strong>{t.name}</strong>
                    {t.description && <span class="cell-sub">{t.description}</span>}
                  </td>
                  <td>
                    <code>{t.key}</code>
                  </td>
                  <td>{t.kind === "marketing" ? <Badge tone="blue">Marketing</Badge> : <Badge>Transactional</Badge>}</td>
                  <td>{t.doubleOptIn ? "Yes" : <span class="muted">No</span>}</td>
                  <td class="num">{formatNumber(t.subscribers)}</td>
                  <td class="actions-col">
                    <Button size="sm" variant="ghost" onClick={() => setEditing(t)}>
                      Edit
                    </Button>
                    <Button size="sm" variant="ghost" class="text-danger" onClick={() => setDeleting(t)}>
                      Delete
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <TopicDialog
          topic={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            list.reload();
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete "${deleting.name}"?`}
          confirmLabel="Delete topic"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.del(`/topics/${deleting.id}`);
            toast(`Topic "${deleting.name}" deleted`);
            setDeleting(null);
            list.reload();
          }}
        >
          <p>
            {deleting.subscribers
              ? `${plural(deleting.subscribers, "subscriber")} will lose this subscription, and their consent records for it are deleted too.`
              : "Nobody is subscribed to this topic."}{" "}
            Forms and flows that use the key <code>{deleting.key}</code> will stop subscribing people to it. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

function TopicDialog({ topic, onClose, onSaved }: { topic: Topic | null; onClose: () => void; onSaved: () => void }) {
  const [form, setForm] = useState({
    name: topic?.name ?? "",
    key: topic?.key ?? "",
    description: topic?.description ?? "",
    kind: topic?.kind ?? ("marketing" as Topic["kind"]),
    doubleOptIn: topic?.doubleOptIn ?? true,
  });
  const [keyTouched, setKeyTouched] = useState(Boolean(topic));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const local: Record<string, string> = {};
    if (!form.name.trim()) local.name = "Give the topic a name";
    if (!topic && !form.key) local.key = "Choose a key";
    if (Object.keys(local).length) return setErrors(local);
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      const body = { name: form.name.trim(), description: form.description.trim(), kind: form.kind, doubleOptIn: form.doubleOptIn };
      if (topic) await api.patch(`/topics/${topic.id}`, body);
      else await api.post("/topics", { ...body, key: form.key });
      toast(topic ? "Topic saved" : `Topic "${body.name}" created`);
      onSaved();
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(formError(err, ["name", "key", "description", "kind"]));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={topic ? "Edit topic" : "New topic"}
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" loading={busy}>
            {topic ? "Save topic" : "Create topic"}
          </Button>
        </>
      }
    >
      {error && <Alert>{error}</Alert>}
      <TextField
        label="Name"
        value={form.name}
        autoFocus
        placeholder="Newsletter"
        onValue={(name) => setForm({ ...form, name, key: keyTouched ? form.key : slug(name) })}
        hint="Subscribers see this name in the preference center."
        error={errors.name}
      />
      <TextField
        label="Key"
        mono
        value={form.key}
        disabled={Boolean(topic)}
        onValue={(key) => {
          setKeyTouched(true);
          setForm({ ...form, key: key.toLowerCase() });
        }}
        hint={topic ? "The key cannot change: forms, imports and the API refer to it." : "Used by forms, imports and the API. Lower-case letters, digits, dashes."}
        error={errors.key}
      />
      <TextArea label="Description" rows={2} value={form.description} onValue={(description) => setForm({ ...form, description })} aside="Optional" error={errors.description} />
      <SelectField
        label="Kind"
        value={form.kind}
        onValue={(kind) => setForm({ ...form, kind: kind as Topic["kind"] })}
        options={[
          { value: "marketing", label: "Marketing: needs consent, respects frequency limits" },
          { value: "transactional", label: "Transactional: receipts and account messages" },
        ]}
        error={errors.kind}
      />
      <Checkbox
        label="Require double opt-in"
        hint="New form signups get a confirmation email and are subscribed only after they click it."
        checked={form.doubleOptIn}
        onChange={(doubleOptIn) => setForm({ ...form, doubleOptIn })}
      />
    </Dialog>
  );
}

// ---- sources --------------------------------------------------------------------------------------------

function snippets(key: string) {
  const origin = window.location.origin;
  const protocol = window.location.protocol.replace(":", "");
  const host = window.location.host;
  return {
    curl: `curl ${origin}/v1/track \\
  -u '${key}:' \\
  -H 'Content-Type: application/json' \\
  -d '{
    "userId": "customer-1001",
    "event": "Order Completed",
    "properties": {
      "order_id": "1001",
      "revenue": 59.90,
      "currency": "USD",
      "products": [{ "product_id": "sku-1", "name": "Linen shirt", "price": 59.90, "quantity": 1 }]
    }
  }'`,
    browser: `// Segment's analytics.js snippet, pointed at Tern instead of Segment:
analytics.load("${key}", {
  integrations: {
    "Segment.io": { apiHost: "${host}/v1", protocol: "${protocol}" }
  }
});`,
    node: `import { Analytics } from "@segment/analytics-node";

const analytics = new Analytics({
  writeKey: "${key}",
  host: "${origin}", // events go to ${origin}/v1/batch
});

analytics.identify({ userId: "customer-1001", traits: { email: "ada@example.com", firstName: "Ada" } });
analytics.track({ userId: "customer-1001", event: "Order Completed", properties: { order_id: "1001", revenue: 59.9 } });`,
  };
}

function Snippets({ keyValue }: { keyValue: string }) {
  const [which, setWhich] = useState<"curl" | "browser" | "node">("curl");
  const s = snippets(keyValue);
  return (
    <div class="snippets">
      <div class="segmented" role="tablist" aria-label="Example">
        {(
          [
            ["curl", "curl"],
            ["browser", "analytics.js"],
            ["node", "Node SDK"],
          ] as const
        ).map(([k, label]) => (
          <button key={k} type="button" role="tab" aria-selected={which === k} class={which === k ? "is-active" : undefined} onClick={() => setWhich(k)}>
            {label}
          </button>
        ))}
      </div>
      <CodeBlock code={s[which]} title={which === "curl" ? "Send a test event" : which === "browser" ? "In your storefront's HTML" : "On your server"} />
    </div>
  );
}

function SourcesSettings() {
  const list = useAsync(() => api.get<{ items: WriteKey[] }>("/write-keys").then((r) => r.items), []);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<WriteKey | null>(null);
  const [renaming, setRenaming] = useState<WriteKey | null>(null);
  const [deleting, setDeleting] = useState<WriteKey | null>(null);
  const add = (
    <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
      New source
    </Button>
  );
  return (
    <>
      <div class="section-intro">
        <p>
          A source is a store, site or app that sends events to Tern with its own write key. Tern speaks Segment's tracking API, so analytics.js, Segment's server SDKs, RudderStack or a plain HTTP request all work unchanged.
        </p>
        {list.data && list.data.length > 0 && add}
      </div>
      {list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.length === 0 ? (
        <div class="card">
          <EmptyState icon="bolt" title="No sources yet" actions={add}>
            Create a write key for your storefront. Identify calls create and update contacts; events such as Order Completed fill their timelines and start flows.
          </EmptyState>
        </div>
      ) : (
        <div class="card table-card">
          <table class="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Source</th>
                <th>Write key</th>
                <th>Created</th>
                <th>Last used</th>
                <th class="actions-col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((k) => (
                <tr key={k.id}>
                  <td>
                    <strong>{k.name}</strong>
                  </td>
                  <td>
                    <code>{k.source}</code>
                  </td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td class="nowrap muted">{formatDate(k.createdAt)}</td>
                  <td class="nowrap">{k.lastUsedAt ? formatRelative(k.lastUsedAt) : <Badge>Never used</Badge>}</td>
                  <td class="actions-col">
                    <Button size="sm" variant="ghost" onClick={() => setRenaming(k)}>
                      Rename
                    </Button>
                    <Button size="sm" variant="ghost" class="text-danger" onClick={() => setDeleting(k)}>
                      Delete
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Card title="Sending events" subtitle="Replace YOUR_WRITE_KEY with a source's write key. The full key is shown only once, when you create it.">
        <Snippets keyValue="YOUR_WRITE_KEY" />
      </Card>
      {creating && (
        <SourceDialog
          onClose={() => setCreating(false)}
          onSaved={(k) => {
            setCreating(false);
            setCreated(k);
            list.reload();
          }}
        />
      )}
      {renaming && (
        <SourceDialog
          source={renaming}
          onClose={() => setRenaming(null)}
          onSaved={() => {
            setRenaming(null);
            toast("Source saved");
            list.reload();
          }}
        />
      )}
      {created?.key && (
        <Dialog
          wide
          title={`${created.name} is ready`}
          description="Copy the write key now. For your security it is shown only this once; Tern stores only a hash of it."
          onClose={() => setCreated(null)}
          footer={
            <Button variant="primary" onClick={() => setCreated(null)}>
              I have copied the key
            </Button>
          }
        >
          <CopyField label="Write key" value={created.key} testId="new-write-key" />
          <Snippets keyValue={created.key} />
        </Dialog>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete "${deleting.name}"?`}
          confirmLabel="Delete source"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.del(`/write-keys/${deleting.id}`);
            toast(`Source "${deleting.name}" deleted`);
            setDeleting(null);
            list.reload();
          }}
        >
          <p>
            Events sent with the key <code>{deleting.prefix}…</code> will be refused within a minute. Contacts and events already received are kept. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

function SourceDialog({ source, onClose, onSaved }: { source?: WriteKey; onClose: () => void; onSaved: (k: WriteKey) => void }) {
  const [name, setName] = useState(source?.name ?? "");
  const [src, setSrc] = useState(source?.source ?? "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!name.trim()) return setErrors({ name: "Give the source a name" });
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      const body = { name: name.trim(), ...(src.trim() ? { source: src.trim() } : {}) };
      onSaved(source ? await api.patch<WriteKey>(`/write-keys/${source.id}`, body) : await api.post<WriteKey>("/write-keys", body));
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(formError(err, ["name", "source"]));
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={source ? "Rename source" : "New source"}
      description={source ? undefined : "Each store, site or app gets its own key, so you can tell events apart and revoke one without touching the others."}
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" loading={busy}>
            {source ? "Save" : "Create write key"}
          </Button>
        </>
      }
    >
      {error && <Alert>{error}</Alert>}
      <TextField label="Name" placeholder="Shopify storefront" value={name} onValue={setName} autoFocus error={errors.name} />
      <TextField
        label="Source label"
        mono
        placeholder={slug(name) || "storefront"}
        value={src}
        onValue={setSrc}
        aside="Optional"
        hint="Stored with every event from this key. Letters, digits, dots, dashes and underscores."
        error={errors.source}
      />
    </Dialog>
  );
}

// ---- API keys -------------------------------------------------------------------------------------------

function ApiKeysSettings() {
  const list = useAsync(() => api.get<{ items: ApiKey[] }>("/api-keys").then((r) => r.items), []);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<ApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const add = (
    <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
      New API key
    </Button>
  );
  return (
    <>
      <div class="section-intro">
        <p>API keys let your own scripts and services use Tern's admin API: manage contacts, topics and imports. Send a key as <code>Authorization: Bearer …</code>. Keys cannot create or revoke other keys.</p>
        {list.data && list.data.length > 0 && add}
      </div>
      {list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.length === 0 ? (
        <div class="card">
          <EmptyState icon="key" title="No API keys" actions={add}>
            You only need one to automate Tern from your own code. Events from your store use a source's write key instead.
          </EmptyState>
        </div>
      ) : (
        <div class="card table-card">
          <table class="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>Created</th>
                <th>Last used</th>
                <th class="actions-col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((k) => (
                <tr key={k.id}>
                  <td>
                    <strong>{k.name}</strong>
                  </td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td class="nowrap muted">{formatDate(k.createdAt)}</td>
                  <td class="nowrap">{k.lastUsedAt ? formatRelative(k.lastUsedAt) : <Badge>Never used</Badge>}</td>
                  <td class="actions-col">
                    <Button size="sm" variant="ghost" class="text-danger" onClick={() => setRevoking(k)}>
                      Revoke
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {creating && (
        <ApiKeyDialog
          onClose={() => setCreating(false)}
          onCreated={(k) => {
            setCreating(false);
            setCreated(k);
            list.reload();
          }}
        />
      )}
      {created?.key && (
        <Dialog
          wide
          title="Your new API key"
          description="Copy it now. For your security it is shown only this once."
          onClose={() => setCreated(null)}
          footer={
            <Button variant="primary" onClick={() => setCreated(null)}>
              I have copied the key
            </Button>
          }
        >
          <CopyField label={created.name} value={created.key} testId="new-api-key" />
          <CodeBlock title="Try it" code={`curl ${window.location.origin}/api/contacts?limit=5 \\\n  -H 'Authorization: Bearer ${created.key}'`} />
        </Dialog>
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke "${revoking.name}"?`}
          confirmLabel="Revoke key"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await api.del(`/api-keys/${revoking.id}`);
            toast("API key revoked");
            setRevoking(null);
            list.reload();
          }}
        >
          <p>
            Requests with <code>{revoking.prefix}…</code> will be refused immediately. Anything using this key stops working. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

function ApiKeyDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (k: ApiKey) => void }) {
  const [name, setName] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!name.trim()) return setErrors({ name: "Name the key after what will use it" });
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      onCreated(await api.post<ApiKey>("/api-keys", { name: name.trim() }));
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(formError(err, ["name"]));
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="New API key"
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" loading={busy}>
            Create key
          </Button>
        </>
      }
    >
      {error && <Alert>{error}</Alert>}
      <TextField label="Name" placeholder="Nightly CRM sync" value={name} onValue={setName} autoFocus hint="So you know what to revoke later." error={errors.name} />
    </Dialog>
  );
}

// ---- account --------------------------------------------------------------------------------------------

function AccountSettings() {
  const s = useStore(session);
  const [form, setForm] = useState({ current: "", password: "", confirm: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });
  if (!s) return null;

  const submit = async (e: Event) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!form.current) local.current = "Enter your current password";
    if (form.password.length < 10) local.password = "Use at least 10 characters";
    else if (form.password !== form.confirm) local.confirm = "The passwords do not match";
    setErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const res = await api.post<{ csrfToken: string }>("/auth/password", { current: form.current, password: form.password });
      session.set({ ...s, csrfToken: res.csrfToken });
      setForm({ current: "", password: "", confirm: "" });
      toast("Password changed. You were signed out everywhere else.");
    } catch (err) {
      const fe = fieldErrors(err);
      if (fe.current === "incorrect") fe.current = "This is not your current password";
      setErrors(fe);
      setError(formError(err, ["current", "password"]));
    }
    setBusy(false);
  };

  return (
    <div class="stack-lg settings-form">
      <Card title="Your account">
        <DefinitionList
          items={[
            ["Name", s.user.name],
            ["Email", s.user.email],
            ["Role", s.user.role === "owner" ? "Owner" : "Admin"],
          ]}
        />
      </Card>
      <Card title="Change password" subtitle="Changing it signs you out on every other device and browser.">
        <form class="stack narrow" onSubmit={submit} noValidate id="password">
          {error && <Alert>{error}</Alert>}
          <input type="text" autoComplete="username" value={s.user.email} hidden readOnly />
          <TextField label="Current password" type="password" autoComplete="current-password" value={form.current} onValue={set("current")} error={errors.current} />
          <TextField label="New password" type="password" autoComplete="new-password" value={form.password} onValue={set("password")} hint="At least 10 characters." error={errors.password} />
          <TextField label="Confirm new password" type="password" autoComplete="new-password" value={form.confirm} onValue={set("confirm")} error={errors.confirm} />
          <div>
            <Button type="submit" variant="primary" loading={busy}>
              Change password
            </Button>
          </div>
        </form>
      </Card>
    </div>
  );
}
