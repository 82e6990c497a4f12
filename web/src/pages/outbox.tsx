/** The Outbox: what the outbox provider kept instead of sending, listed and searchable, newest first. */
import { useEffect, useState } from "preact/hooks";
import { api, errorMessage, query } from "../api";
import { decodeHeader } from "../email-view";
import { formatDateTime, formatRelative } from "../format";
import { Icon } from "../icons";
import { Link, navigate, useLocation } from "../router";
import { useTitle } from "../title";
import type { MessageStatus, OutboxItem, ProviderName, SendingStatus } from "../types";
import { Alert, Badge, Button, ButtonLink, EmptyState, LoadError, PageHeader, useAsync, useDebounced, type Tone } from "../ui";

export const providerLabel: Record<ProviderName, string> = {
  outbox: "Outbox (local)",
  smtp: "SMTP",
  resend: "Resend",
  postmark: "Postmark",
  ses: "Amazon SES",
  sendgrid: "SendGrid",
  mailgun: "Mailgun",
  cloudflare: "Cloudflare Email",
};

const statusTone: Record<MessageStatus, Tone> = {
  queued: "neutral",
  sending: "blue",
  sent: "green",
  delivered: "green",
  bounced: "amber",
  complained: "red",
  failed: "red",
  suppressed: "neutral",
  cancelled: "neutral",
};
const statusLabel: Record<MessageStatus, string> = {
  queued: "Queued",
  sending: "Sending",
  sent: "Sent",
  delivered: "Delivered",
  bounced: "Bounced",
  complained: "Complained",
  failed: "Failed",
  suppressed: "Suppressed",
  cancelled: "Cancelled",
};

export function MessageStatusBadge({ status }: { status: MessageStatus | null }) {
  if (!status) return <Badge>Unknown</Badge>;
  return (
    <Badge tone={statusTone[status]} dot>
      {statusLabel[status]}
    </Badge>
  );
}

export function KindBadge({ kind }: { kind: OutboxItem["kind"] }) {
  if (!kind) return <span class="muted">—</span>;
  return kind === "marketing" ? <Badge tone="blue">Marketing</Badge> : <Badge>Transactional</Badge>;
}

/** Which provider sends mail, and what that means for the outbox. */
export function ProviderNote() {
  const status = useAsync(() => api.get<SendingStatus>("/settings/sending/status"), []);
  if (!status.data) return null;
  const p = status.data.provider;
  if (p === "outbox") {
    return (
      <Alert
        tone="blue"
        title="Emails are stored here, not sent"
        action={
          <ButtonLink href="/settings/sending" size="sm">
            Choose a provider
          </ButtonLink>
        }
      >
        The active provider is the outbox: Tern renders and records every email exactly as it would send it (headers, HTML and plain text), and delivers nothing. Open a message to see it as the recipient would. To send real email, choose a provider in Settings → Sending.
      </Alert>
    );
  }
  return (
    <Alert tone="green" title={`Sending through ${providerLabel[p]}`} action={<ButtonLink href="/settings/sending" size="sm">Sending settings</ButtonLink>}>
      Email goes out through {providerLabel[p]}, so new messages do not appear here. The outbox keeps what was stored while the outbox provider was active.
    </Alert>
  );
}

const PAGE = 50;

export function OutboxPage() {
  useTitle("Outbox");
  const loc = useLocation();
  const q = new URLSearchParams(loc.search).get("q") ?? "";
  const [search, setSearch] = useState(q);
  const debounced = useDebounced(search, 250);
  useEffect(() => {
    if (debounced.trim() !== q) navigate(`/outbox${query({ q: debounced.trim() })}`, { replace: true, keepScroll: true });
  }, [debounced]);
  useEffect(() => {
    if (q !== debounced.trim()) setSearch(q);
  }, [q]);

  const list = useAsync(() => api.get<{ items: OutboxItem[]; nextCursor: string | null }>(`/outbox${query({ q, limit: PAGE })}`), [q]);
  const [more, setMore] = useState<{ items: OutboxItem[]; nextCursor: string | null; loading: boolean; error: unknown }>({ items: [], nextCursor: null, loading: false, error: null });
  useEffect(() => setMore({ items: [], nextCursor: null, loading: false, error: null }), [list.data]);
  const items = [...(list.data?.items ?? []), ...more.items];
  const nextCursor = more.items.length ? more.nextCursor : (list.data?.nextCursor ?? null);

  const loadMore = async () => {
    if (!nextCursor) return;
    setMore((m) => ({ ...m, loading: true, error: null }));
    try {
      const page = await api.get<{ items: OutboxItem[]; nextCursor: string | null }>(`/outbox${query({ q, cursor: nextCursor, limit: PAGE })}`);
      setMore((m) => ({ items: [...m.items, ...page.items], nextCursor: page.nextCursor, loading: false, error: null }));
    } catch (error) {
      setMore((m) => ({ ...m, loading: false, error }));
    }
  };

  return (
    <div class="page">
      <PageHeader
        title="Outbox"
        subtitle="Every email the outbox provider kept, newest first."
        actions={
          <Button icon="refresh" onClick={list.reload} loading={list.loading && Boolean(list.data)}>
            Refresh
          </Button>
        }
      />
      <div class="stack-lg">
        <ProviderNote />
        <div>
          <div class="toolbar">
            <div class="search">
              <Icon name="search" size={16} />
              <input type="search" class="input" placeholder="Search by recipient or subject" aria-label="Search the outbox" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
            </div>
          </div>
          {list.error ? (
            <LoadError error={list.error} retry={list.reload} />
          ) : !list.data ? (
            <div class="card">
              <div class="loading">Loading…</div>
            </div>
          ) : items.length === 0 ? (
            <div class="card">
              {q ? (
                <EmptyState icon="search" title="No messages match" actions={<Button onClick={() => setSearch("")}>Clear search</Button>}>
                  Nothing sent to or with a subject containing “{q}”.
                </EmptyState>
              ) : (
                <EmptyState icon="outbox" title="The outbox is empty" actions={<ButtonLink href="/templates" icon="templates">Go to templates</ButtonLink>}>
                  Send yourself a test from a template: it appears here a moment later, rendered for the contact you chose, with working tracked links.
                </EmptyState>
              )}
            </div>
          ) : (
            <div class={list.loading ? "card table-card is-refreshing" : "card table-card"}>
              <table class="table table-clickable">
                <thead>
                  <tr>
                    <th class="col-email">To</th>
                    <th>Subject</th>
                    <th>Status</th>
                    <th>Kind</th>
                    <th class="nowrap">Sent</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((m) => (
                    <OutboxRow key={m.id} m={m} />
                  ))}
                </tbody>
              </table>
              <div class="table-footer">
                <span class="muted">{items.length === 1 ? "1 message" : `${items.length} messages`}{nextCursor ? " so far" : ""}</span>
                {more.error !== null && <span class="text-danger">{errorMessage(more.error)}</span>}
                {nextCursor && (
                  <Button size="sm" onClick={loadMore} loading={more.loading}>
                    Load more
                  </Button>
                )}
              </div>
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

function OutboxRow({ m }: { m: OutboxItem }) {
  const href = `/outbox/${encodeURIComponent(m.id)}`;
  return (
    <tr
      onClick={(e) => {
        if ((e.target as HTMLElement).closest("a")) return;
        navigate(href);
      }}
    >
      <td class="cell-email nowrap col-email">{m.toEmail}</td>
      <td class="cell-subject">
        <Link href={href} class="row-link">
          {decodeHeader(m.subject) || <span class="muted">(no subject)</span>}
        </Link>
        <span class="cell-sub only-narrow">to {m.toEmail}</span>
        {(m.openedAt || m.clickedAt) && (
          <span class="cell-sub cell-engagement">
            {m.openedAt && (
              <span title={`First opened ${formatDateTime(m.openedAt)}`}>
                <Icon name="eye" size={13} /> Opened
              </span>
            )}
            {m.clickedAt && (
              <span title={`First clicked ${formatDateTime(m.clickedAt)}`}>
                <Icon name="link" size={13} /> Clicked
              </span>
            )}
          </span>
        )}
      </td>
      <td>
        <MessageStatusBadge status={m.status} />
      </td>
      <td>
        <KindBadge kind={m.kind} />
      </td>
      <td class="nowrap muted" title={formatDateTime(m.createdAt)}>
        {formatRelative(m.createdAt)}
      </td>
    </tr>
  );
}
