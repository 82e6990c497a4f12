/** Contacts → Suppressions: the addresses Tern never emails, why, and adding or removing one by hand. */
import { useEffect, useState } from "preact/hooks";
import { api, errorMessage, fieldErrors, formError, query } from "../api";
import { formatDate, formatDateTime, formatNumber, plural } from "../format";
import { Icon } from "../icons";
import { Link, navigate, useLocation } from "../router";
import { useTitle } from "../title";
import type { Suppression, SuppressionReason } from "../types";
import { Alert, Badge, Button, ConfirmDialog, Dialog, EmptyState, LoadError, Select, SelectField, TextField, toast, useAsync, useDebounced, type Tone } from "../ui";
import { ContactsTabs } from "./contacts-tabs";

export const reasonLabel: Record<SuppressionReason, string> = {
  hard_bounce: "Hard bounce",
  soft_bounce: "Soft bounces",
  complaint: "Complaint",
  unsubscribed: "Unsubscribed",
  erased: "Erased",
  manual: "Manual",
};
const reasonTone: Record<SuppressionReason, Tone> = { hard_bounce: "amber", soft_bounce: "amber", complaint: "red", unsubscribed: "neutral", erased: "neutral", manual: "blue" };
const reasonHelp: Record<SuppressionReason, string> = {
  hard_bounce: "The address does not exist or refuses mail permanently.",
  soft_bounce: "Temporary failures (full mailbox, server down) several times in a row.",
  complaint: "The recipient marked an email as spam.",
  unsubscribed: "Unsubscribed from all email.",
  erased: "Erased on request (GDPR): only a hash of the address is kept, so it can never be mailed or imported again.",
  manual: "Added by hand.",
};

type Page = { items: Suppression[]; nextCursor: string | null; total?: number };

export function SuppressionsPage() {
  useTitle("Suppressions");
  const loc = useLocation();
  const params = new URLSearchParams(loc.search);
  const filters = { q: params.get("q") ?? "", reason: params.get("reason") ?? "" };
  const filtered = Boolean(filters.q || filters.reason);
  const setFilter = (patch: Partial<typeof filters>) => {
    const next = { ...filters, ...patch };
    navigate(`/contacts/suppressions${query({ q: next.q.trim(), reason: next.reason })}`, { replace: true, keepScroll: true });
  };
  const [search, setSearch] = useState(filters.q);
  const debounced = useDebounced(search, 250);
  useEffect(() => {
    if (debounced.trim() !== filters.q) setFilter({ q: debounced });
  }, [debounced]);
  useEffect(() => {
    if (filters.q !== debounced.trim()) setSearch(filters.q);
  }, [filters.q]);

  const list = useAsync(() => api.get<Page>(`/suppressions${query({ q: filters.q, reason: filters.reason })}`), [filters.q, filters.reason]);
  const [more, setMore] = useState<{ items: Suppression[]; nextCursor: string | null; loading: boolean; error: unknown }>({ items: [], nextCursor: null, loading: false, error: null });
  useEffect(() => setMore({ items: [], nextCursor: null, loading: false, error: null }), [list.data]);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Suppression | null>(null);

  const items = [...(list.data?.items ?? []), ...more.items];
  const nextCursor = more.items.length ? more.nextCursor : (list.data?.nextCursor ?? null);
  const total = list.data?.total ?? items.length;

  const loadMore = async () => {
    if (!nextCursor) return;
    setMore((m) => ({ ...m, loading: true, error: null }));
    try {
      const page = await api.get<Page>(`/suppressions${query({ ...filters, cursor: nextCursor })}`);
      setMore((m) => ({ items: [...m.items, ...page.items], nextCursor: page.nextCursor, loading: false, error: null }));
    } catch (error) {
      setMore((m) => ({ ...m, loading: false, error }));
    }
  };

  return (
    <div class="page">
      <header class="page-header">
        <div class="page-header-text">
          <h1>Contacts</h1>
          <p class="page-subtitle">{list.data ? (filtered ? `${plural(total, "suppressed address", "suppressed addresses")} ${total === 1 ? "matches" : "match"}` : `${plural(total, "suppressed address", "suppressed addresses")}`) : " "}</p>
        </div>
        <div class="page-actions">
          <Button variant="primary" icon="plus" onClick={() => setAdding(true)}>
            Add address
          </Button>
        </div>
      </header>
      <ContactsTabs current="suppressions" />
      <div class="section-intro">
        <p>
          Tern never emails these addresses, whatever their subscriptions: not flows, not campaigns, not even transactional email. Bounces and spam complaints from your provider add addresses here automatically, which protects your sender reputation.
        </p>
      </div>
      <div class="toolbar">
        <div class="search">
          <Icon name="search" size={16} />
          <input type="search" class="input" placeholder="Search by email address" aria-label="Search suppressions" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </div>
        <Select label="Reason" value={filters.reason} onValue={(reason) => setFilter({ reason })} options={[{ value: "", label: "All reasons" }, ...(Object.keys(reasonLabel) as SuppressionReason[]).map((r) => ({ value: r, label: reasonLabel[r] }))]} />
      </div>
      {list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <div class="card">
          <div class="loading">Loading…</div>
        </div>
      ) : items.length === 0 ? (
        <div class="card">
          {filtered ? (
            <EmptyState
              icon="search"
              title="No suppressed addresses match"
              actions={
                <Button
                  onClick={() => {
                    setSearch("");
                    navigate("/contacts/suppressions", { replace: true });
                  }}
                >
                  Clear filters
                </Button>
              }
            >
              Search for part of an address, or the whole address to find an erased one by its hash.
            </EmptyState>
          ) : (
            <EmptyState icon="shield" title="No suppressed addresses">
              When an email hard-bounces, or someone marks one as spam, their address is added here so Tern never emails it again.
            </EmptyState>
          )}
        </div>
      ) : (
        <div class={list.loading ? "card table-card is-refreshing" : "card table-card"}>
          <table class="table">
            <thead>
              <tr>
                <th>Address</th>
                <th>Reason</th>
                <th class="nowrap">Added</th>
                <th class="actions-col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.emailHash} data-email={s.email ?? ""}>
                  <td class="cell-name">
                    {s.email ? (
                      s.contactId ? (
                        <Link class="row-link" href={`/contacts/${s.contactId}`}>
                          {s.email}
                        </Link>
                      ) : (
                        s.email
                      )
                    ) : (
                      <span class="muted">Erased address</span>
                    )}
                    {!s.email && <span class="cell-sub mono" title={s.emailHash}>SHA-256 {s.emailHash.slice(0, 12)}…</span>}
                    {s.detail && <span class="cell-sub cell-detail">{s.detail}</span>}
                  </td>
                  <td>
                    <span title={reasonHelp[s.reason]}>
                      <Badge tone={reasonTone[s.reason]}>{reasonLabel[s.reason]}</Badge>
                    </span>
                  </td>
                  <td class="nowrap muted" title={formatDateTime(s.createdAt)}>
                    {formatDate(s.createdAt)}
                  </td>
                  <td class="actions-col">
                    {s.reason === "erased" ? (
                      <span class="muted small" title="Erased on request: the address stays suppressed for good.">
                        <Icon name="lock" size={15} class="inline-icon" /> Permanent
                      </span>
                    ) : (
                      <Button size="sm" variant="ghost" class="text-danger" onClick={() => setRemoving(s)}>
                        Remove
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="table-footer">
            <span class="muted">
              Showing {formatNumber(items.length)} of {plural(total, "address", "addresses")}
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
      {adding && (
        <AddSuppressionDialog
          onClose={() => setAdding(false)}
          onAdded={() => {
            setAdding(false);
            list.reload();
          }}
        />
      )}
      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.email} from the suppression list?`}
          confirmLabel="Remove"
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            const res = await api.del<{ removed: boolean; contactReactivated: boolean }>(`/suppressions/${removing.emailHash}`);
            toast(res.contactReactivated ? `${removing.email} can be emailed again; their contact is active again` : `${removing.email} can be emailed again`);
            setRemoving(null);
            list.reload();
          }}
        >
          <p>Tern will email this address again.</p>
          <p>
            Suppressed as <strong>{reasonLabel[removing.reason].toLowerCase()}</strong>: {reasonHelp[removing.reason]}
            {removing.detail ? ` “${removing.detail}”` : ""}
          </p>
          {(removing.reason === "hard_bounce" || removing.reason === "complaint") && (
            <p>Only remove it if you know the problem is gone: sending to addresses that bounce or complain hurts your sender reputation with every mailbox provider.</p>
          )}
          <p>Marketing email still goes only to topics the contact is subscribed to.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function AddSuppressionDialog({ onClose, onAdded }: { onClose: () => void; onAdded: () => void }) {
  const [email, setEmail] = useState("");
  const [reason, setReason] = useState<SuppressionReason>("manual");
  const [detail, setDetail] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!email.trim()) return setErrors({ email: "Enter the address to suppress" });
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      const item = await api.post<Suppression>("/suppressions", { email: email.trim(), reason, ...(detail.trim() ? { detail: detail.trim() } : {}) });
      toast(item.reason === reason ? `${item.email ?? email.trim()} is suppressed` : `${item.email ?? email.trim()} was already suppressed (${reasonLabel[item.reason].toLowerCase()})`);
      onAdded();
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(formError(err, ["email", "reason", "detail"]));
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Suppress an address"
      description="Tern will never email it, including transactional email, until you remove it."
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" loading={busy}>
            Suppress address
          </Button>
        </>
      }
    >
      {error && <Alert>{error}</Alert>}
      <TextField label="Email address" type="email" value={email} onValue={setEmail} autoFocus error={errors.email} />
      <SelectField
        label="Reason"
        value={reason}
        onValue={(r) => setReason(r as SuppressionReason)}
        options={(["manual", "hard_bounce", "soft_bounce", "complaint", "unsubscribed"] as const).map((r) => ({ value: r, label: reasonLabel[r] }))}
        hint={reasonHelp[reason]}
        error={errors.reason}
      />
      <TextField label="Note" value={detail} onValue={setDetail} aside="Optional" placeholder="Asked us by phone not to email them" hint="Shown in the list, so your team knows why." error={errors.detail} />
    </Dialog>
  );
}
