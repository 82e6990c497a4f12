/** The contact list: search, filters, keyset pages, export, and adding a contact by hand. */
import { useEffect, useState } from "preact/hooks";
import { api, errorMessage, fieldErrors, formError, query, settings } from "../api";
import { displayName, formatDate, formatMoney, formatNumber, fullName, plural } from "../format";
import { Icon } from "../icons";
import { Link, navigate, useLocation } from "../router";
import { useStore } from "../store";
import { useTitle } from "../title";
import type { Contact, ContactList, ContactStatus, ContactSummary, Topic } from "../types";
import { ContactsTabs } from "./contacts-tabs";
import { Alert, Badge, Button, ButtonLink, Checkbox, Dialog, EmptyState, LoadError, Segmented, Select, TableSkeleton, TextField, toast, useAsync, useDebounced, type Tone } from "../ui";

export const statusTone: Record<ContactStatus, Tone> = { active: "green", unsubscribed: "neutral", bounced: "amber", complained: "red" };
export const statusLabel: Record<ContactStatus, string> = { active: "Active", unsubscribed: "Unsubscribed", bounced: "Bounced", complained: "Complained" };

export function StatusBadge({ status }: { status: ContactStatus }) {
  return (
    <Badge tone={statusTone[status]} dot>
      {statusLabel[status]}
    </Badge>
  );
}

/** The list's address with its filters, so "back to contacts" from a profile returns to the same view. */
export let contactsListHref = "/contacts";

const PAGE = 50;

export function ContactsPage() {
  useTitle("Contacts");
  const loc = useLocation();
  const params = new URLSearchParams(loc.search);
  const filters = { q: params.get("q") ?? "", status: params.get("status") ?? "", topic: params.get("topic") ?? "", kind: params.get("kind") ?? "identified" };
  const filtered = Boolean(filters.q || filters.status || filters.topic || filters.kind !== "identified");
  const conf = useStore(settings);
  const currency = conf?.store.currency ?? "USD";
  contactsListHref = `/contacts${loc.search}`;

  const setFilter = (patch: Partial<typeof filters>) => {
    const next = { ...filters, ...patch };
    navigate(`/contacts${query({ q: next.q.trim(), status: next.status, topic: next.topic, kind: next.kind === "identified" ? "" : next.kind })}`, { replace: true, keepScroll: true });
  };

  // The search box updates at once; the address (and the request) follows after a pause in typing.
  const [search, setSearch] = useState(filters.q);
  const debounced = useDebounced(search, 250);
  useEffect(() => {
    if (debounced.trim() !== filters.q) setFilter({ q: debounced });
  }, [debounced]);
  // Back/forward or "Clear filters" changed the address: show its search in the box.
  useEffect(() => {
    if (filters.q !== debounced.trim()) setSearch(filters.q);
  }, [filters.q]);

  const topics = useAsync(() => api.get<{ items: Topic[] }>("/topics").then((r) => r.items), []);
  const apiQuery = query({ q: filters.q, status: filters.status, topic: filters.topic, kind: filters.kind });
  const list = useAsync(() => api.get<ContactList>(`/contacts${apiQuery}${apiQuery ? "&" : "?"}limit=${PAGE}`), [apiQuery]);
  const [more, setMore] = useState<{ items: ContactSummary[]; nextCursor: string | null; loading: boolean; error: unknown }>({ items: [], nextCursor: null, loading: false, error: null });
  useEffect(() => setMore({ items: [], nextCursor: null, loading: false, error: null }), [list.data]);
  const [adding, setAdding] = useState(false);

  const total = list.data?.total ?? 0;
  const items = [...(list.data?.items ?? []), ...more.items];
  const nextCursor = more.items.length ? more.nextCursor : (list.data?.nextCursor ?? null);

  const loadMore = async () => {
    if (!nextCursor) return;
    setMore((m) => ({ ...m, loading: true, error: null }));
    try {
      const page = await api.get<ContactList>(`/contacts${query({ ...filters, cursor: nextCursor, limit: PAGE })}`);
      setMore((m) => ({ items: [...m.items, ...page.items], nextCursor: page.nextCursor, loading: false, error: null }));
    } catch (error) {
      setMore((m) => ({ ...m, loading: false, error }));
    }
  };

  const topicOptions = [{ value: "", label: "All topics" }, ...(topics.data ?? []).map((t) => ({ value: t.key, label: t.name }))];
  if (filters.topic && !topics.data?.some((t) => t.key === filters.topic)) topicOptions.push({ value: filters.topic, label: filters.topic });

  return (
    <div class="page">
      <header class="page-header">
        <div class="page-header-text">
          <h1>Contacts</h1>
          <p class="page-subtitle">{list.data ? (filtered ? `${plural(total, "contact")} ${total === 1 ? "matches" : "match"} these filters` : `${plural(total, "contact")} in total`) : " "}</p>
        </div>
        <div class="page-actions">
          <ButtonLink href={`/api/contacts/export.csv${query({ q: filters.q, status: filters.status, topic: filters.topic, kind: filters.kind })}`} download icon="download">
            Export CSV
          </ButtonLink>
          <ButtonLink href="/contacts/import" icon="upload">
            Import CSV
          </ButtonLink>
          <Button variant="primary" icon="plus" onClick={() => setAdding(true)}>
            Add contact
          </Button>
        </div>
      </header>
      <ContactsTabs current="contacts" />

      <div class="toolbar">
        <div class="search">
          <Icon name="search" size={16} />
          <input
            type="search"
            class="input"
            placeholder="Search by name, email or user id"
            aria-label="Search contacts"
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
            onKeyDown={(e) => e.key === "Enter" && setFilter({ q: search })}
          />
        </div>
        <Select
          label="Status"
          value={filters.status}
          onValue={(status) => setFilter({ status })}
          options={[{ value: "", label: "All statuses" }, ...(["active", "unsubscribed", "bounced", "complained"] as const).map((s) => ({ value: s, label: statusLabel[s] }))]}
        />
        <Select label="Topic" value={filters.topic} onValue={(topic) => setFilter({ topic })} options={topicOptions} />
        <Segmented
          label="Kind of contact"
          value={filters.kind}
          onValue={(kind) => setFilter({ kind })}
          options={[
            { value: "identified", label: "Identified" },
            { value: "anonymous", label: "Anonymous" },
            { value: "all", label: "All" },
          ]}
        />
      </div>

      {list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <TableSkeleton label="Loading contacts" rows={6} columns={[["Name", 38], ["Email", 52, "col-email"], ["Status", 20], ["Orders", 10, "num"], ["Revenue", 16, "num"], ["Created", 22]]} />
      ) : items.length === 0 ? (
        <div class="card">
          {filtered ? (
            <EmptyState
              icon="search"
              title="No contacts match"
              actions={
                <Button
                  onClick={() => {
                    setSearch("");
                    navigate("/contacts", { replace: true });
                  }}
                >
                  Clear filters
                </Button>
              }
            >
              Try a shorter search, or another status or topic.
              {filters.kind === "identified" && " Anonymous visitors are not shown unless you pick Anonymous or All."}
            </EmptyState>
          ) : (
            <EmptyState
              icon="contacts"
              title="No contacts yet"
              actions={
                <>
                  <ButtonLink href="/contacts/import" icon="upload" variant="primary">
                    Import CSV
                  </ButtonLink>
                  <ButtonLink href="/settings/sources" icon="bolt">
                    Connect a source
                  </ButtonLink>
                </>
              }
            >
              Import a CSV from your shop or previous email tool, add someone by hand, or connect your storefront so contacts are created as events arrive.
            </EmptyState>
          )}
        </div>
      ) : (
        <div class={list.loading ? "card table-card is-refreshing" : "card table-card"}>
          <table class="table table-clickable">
            <thead>
              <tr>
                <th>Name</th>
                <th class="col-email">Email</th>
                <th>Status</th>
                <th class="num">Orders</th>
                <th class="num">Revenue</th>
                <th class="nowrap">Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <ContactRow key={c.id} c={c} currency={currency} />
              ))}
            </tbody>
          </table>
          <div class="table-footer">
            <span class="muted">
              Showing {formatNumber(items.length)} of {plural(total, "contact")}
            </span>
            {more.error !== null && <span class="text-danger">{errorMessage(more.error)}</span>}
            {nextCursor && (
              <Button size="sm" onClick={loadMore} loading={more.loading}>
                Load more
              </Button>
            )}
          </div>
        </div>
      )}
      {adding && <AddContactDialog topics={topics.data ?? []} onClose={() => setAdding(false)} />}
    </div>
  );
}

function ContactRow({ c, currency }: { c: ContactSummary; currency: string }) {
  const href = `/contacts/${c.id}`;
  const name = fullName(c);
  return (
    <tr
      onClick={(e) => {
        if ((e.target as HTMLElement).closest("a")) return;
        navigate(href);
      }}
    >
      <td class="cell-name">
        <Link href={href} class="row-link">
          {name || <span class="muted">{c.email || c.externalId ? "No name" : "Anonymous visitor"}</span>}
        </Link>
        {c.email && <span class="cell-sub only-narrow">{c.email}</span>}
        {c.externalId && <span class="cell-sub">ID {c.externalId}</span>}
        {!c.email && !c.externalId && <span class="cell-sub">Contact #{c.id}</span>}
      </td>
      <td class="cell-email col-email">{c.email ?? <span class="muted">—</span>}</td>
      <td>
        <StatusBadge status={c.status} />
      </td>
      <td class="num">{formatNumber(c.orderCount)}</td>
      <td class="num">{c.revenue ? formatMoney(c.revenue, currency) : <span class="muted">—</span>}</td>
      <td class="nowrap muted">{formatDate(c.createdAt)}</td>
    </tr>
  );
}

function AddContactDialog({ topics, onClose }: { topics: Topic[]; onClose: () => void }) {
  const [form, setForm] = useState({ email: "", firstName: "", lastName: "", phone: "" });
  const [subscribe, setSubscribe] = useState<Set<string>>(new Set());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });

  const submit = async () => {
    if (!form.email.trim()) {
      setErrors({ email: "Enter an email address" });
      return;
    }
    setBusy(true);
    setError(null);
    setErrors({});
    const body: Record<string, unknown> = { email: form.email.trim() };
    for (const k of ["firstName", "lastName", "phone"] as const) if (form[k].trim()) body[k] = form[k].trim();
    if (subscribe.size) body.topics = Object.fromEntries([...subscribe].map((k) => [k, "subscribed"]));
    try {
      const contact = await api.post<Contact>("/contacts", body);
      toast(`${displayName(contact)} was added`);
      onClose();
      navigate(`/contacts/${contact.id}`);
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(formError(err, ["email", "firstName", "lastName", "phone"]));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Add a contact"
      description="Add someone by hand. To add many people at once, import a CSV instead."
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" loading={busy}>
            Add contact
          </Button>
        </>
      }
    >
      {error && <Alert>{error}</Alert>}
      <TextField label="Email" type="email" value={form.email} onValue={set("email")} autoFocus required error={errors.email} />
      <div class="grid-2">
        <TextField label="First name" value={form.firstName} onValue={set("firstName")} error={errors.firstName} />
        <TextField label="Last name" value={form.lastName} onValue={set("lastName")} error={errors.lastName} />
      </div>
      <TextField label="Phone" type="tel" value={form.phone} onValue={set("phone")} aside="Optional" error={errors.phone} />
      {topics.length > 0 && (
        <fieldset class="fieldset">
          <legend>Subscribe to topics</legend>
          <p class="field-hint">Only subscribe people who agreed to hear from you. The consent record will say they were added by you.</p>
          {topics.map((t) => (
            <Checkbox
              key={t.key}
              label={t.name}
              hint={t.description || undefined}
              checked={subscribe.has(t.key)}
              onChange={(on) => {
                const next = new Set(subscribe);
                if (on) next.add(t.key);
                else next.delete(t.key);
                setSubscribe(next);
              }}
            />
          ))}
        </fieldset>
      )}
    </Dialog>
  );
}
