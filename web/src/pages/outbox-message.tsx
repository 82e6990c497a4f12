/**
 * One outbox message as the recipient sees it: the HTML at desktop or phone width, the plain text and raw MIME,
 * every header, and the checks that matter for deliverability (one-click unsubscribe, List-Id, tracked links).
 */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../api";
import { decodeHeader, DeviceToggle, EmailFrame, InboxLine, parseAddress, type Device } from "../email-view";
import { displayName, formatDateTime, formatRelative } from "../format";
import { Icon, type IconName } from "../icons";
import { Link, useQuery } from "../router";
import { useTitle } from "../title";
import type { Contact, OutboxItem, OutboxMessage, Template } from "../types";
import { Alert, Button, Card, EmptyState, LoadError, Loading, PageHeader, Segmented, Spinner, cx, useAsync } from "../ui";
import { KindBadge, MessageStatusBadge } from "./outbox";

interface Loaded {
  message: OutboxMessage;
  html: string;
  meta: OutboxItem | null;
}

/** A send goes through the queue first: a fresh test may take a moment to land here. */
const WAIT_MS = 30_000;

async function loadHtml(id: string): Promise<string> {
  const res = await fetch(`/api/outbox/${encodeURIComponent(id)}/html`, { credentials: "same-origin" });
  if (!res.ok) throw new ApiError(res.status, `http_${res.status}`, `The HTML could not be loaded (${res.status})`);
  return res.text();
}

const recent = () => api.get<{ items: OutboxItem[] }>("/outbox?limit=50").then((r) => r.items);

/**
 * Loads a message. `fresh` (a link from "send test") means it may still be in the queue: the newest messages are
 * polled until it shows up, rather than asking for it by id and collecting 404s meanwhile.
 */
function useMessage(id: string, fresh: boolean) {
  const [state, setState] = useState<{ data: Loaded | null; error: unknown; waiting: number }>({ data: null, error: null, waiting: 0 });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const started = Date.now();
    setState({ data: null, error: null, waiting: 0 });
    const load = async (meta: OutboxItem | null) => {
      const message = await api.get<OutboxMessage>(`/outbox/${encodeURIComponent(id)}`);
      const [html, found] = await Promise.all([
        loadHtml(id),
        meta ?? api.get<{ items: OutboxItem[] }>(`/outbox?limit=200&q=${encodeURIComponent(message.toEmail)}`).then((r) => r.items.find((m) => m.id === id) ?? null, () => null),
      ]);
      if (live) setState({ data: { message, html, meta: found }, error: null, waiting: 0 });
    };
    const attempt = async () => {
      try {
        if (!fresh || Date.now() - started > WAIT_MS) return await load(null);
        const meta = (await recent()).find((m) => m.id === id);
        if (meta) return await load(meta);
        if (live) {
          setState({ data: null, error: null, waiting: Date.now() - started });
          timer = setTimeout(attempt, 1000);
        }
      } catch (error) {
        if (live) setState({ data: null, error, waiting: 0 });
      }
    };
    void attempt();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id, fresh, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export function OutboxMessagePage({ id }: { id: string }) {
  const fresh = useQuery().has("fresh");
  const { data, error, waiting, reload } = useMessage(id, fresh);
  const subject = data ? decodeHeader(data.message.subject) : null;
  useTitle(subject ?? "Message");
  const back = { href: "/outbox", label: "Outbox" };

  if (error) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <div class="page">
        <PageHeader title="Message" back={back} />
        {missing ? (
          <div class="card">
            <EmptyState icon="outbox" title="This message is not in the outbox" actions={<Button onClick={reload}>Check again</Button>}>
              It may still be waiting in the send queue, it may have been refused (a suppressed address is never sent), another provider may have sent it, or the contact was erased.
            </EmptyState>
          </div>
        ) : (
          <LoadError error={error} retry={reload} />
        )}
      </div>
    );
  }
  if (!data) {
    return (
      <div class="page">
        <PageHeader title=" " back={back} />
        {waiting ? (
          <div class="card">
            <div class="loading">
              <Spinner />
              <span>Waiting for the send queue to deliver this message to the outbox…</span>
            </div>
            {waiting > 6000 && (
              <div class="waiting-hint">
                <Alert tone="amber" title="This is taking longer than usual">
                  The send may have been refused or failed. Check that a sender address is set (in the template or in <Link href="/settings/general">Settings → General</Link>), that the address is not on the <Link href="/contacts/suppressions">suppression list</Link>, and look at <Link href="/reports/dead-letters">dead letters</Link>.
                </Alert>
              </div>
            )}
          </div>
        ) : (
          <Loading label="Loading message…" />
        )}
      </div>
    );
  }
  return <MessageView {...data} />;
}

function MessageView({ message, html, meta }: Loaded) {
  const [device, setDevice] = useState<Device>("desktop");
  const [view, setView] = useState<"html" | "text" | "raw">("html");
  const header = (name: string) => message.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1] ?? null;
  const from = parseAddress(decodeHeader(header("From") ?? ""));
  const subject = decodeHeader(message.subject);
  const preheader = preheaderOf(html);

  return (
    <div class="page page-wide">
      <PageHeader
        back={{ href: "/outbox", label: "Outbox" }}
        title={subject || "(no subject)"}
        subtitle={
          <span class="message-meta">
            <span>To {message.toEmail}</span>
            <span class="muted" title={formatDateTime(message.createdAt)}>
              {formatDateTime(message.createdAt)}
            </span>
            {meta && <MessageStatusBadge status={meta.status} />}
            {meta && <KindBadge kind={meta.kind} />}
          </span>
        }
        actions={
          <a class="btn btn-secondary" href={`data:message/rfc822;charset=utf-8,${encodeURIComponent(message.raw)}`} download={`${message.id}.eml`}>
            <Icon name="download" size={16} />
            Download .eml
          </a>
        }
      />
      <div class="message-grid">
        <section class="card preview-card message-preview" aria-label="Message">
          <div class="preview-toolbar">
            <Segmented
              label="Part"
              value={view}
              onValue={(v) => setView(v as typeof view)}
              options={[
                { value: "html", label: "HTML" },
                { value: "text", label: "Plain text" },
                { value: "raw", label: "Raw MIME" },
              ]}
            />
            {view === "html" && <DeviceToggle value={device} onValue={setDevice} />}
          </div>
          <InboxLine fromName={from.name} fromEmail={from.email} subject={subject} preheader={preheader} when={formatRelative(message.createdAt)} />
          <div class="preview-body">
            {view === "html" ? (
              html ? (
                <EmailFrame html={html} device={device} title="The email as the recipient sees it" allowLinks />
              ) : (
                <div class="preview-placeholder">This message has no HTML part.</div>
              )
            ) : view === "text" ? (
              <pre class="plain-text">{message.text ?? "This message has no plain-text part."}</pre>
            ) : (
              <pre class="plain-text raw-mime" data-testid="raw-mime">
                {message.raw}
              </pre>
            )}
          </div>
          {view === "html" && (
            <p class="preview-foot">
              <Icon name="info" size={14} />
              Viewing loads the open pixel and links go through click tracking, as if the recipient did it: useful for testing, and it shows up in reports.
            </p>
          )}
        </section>
        <div class="stack-lg">
          <Checks message={message} html={html} meta={meta} header={header} />
          <Details message={message} meta={meta} />
        </div>
      </div>
      <Card title="Headers" subtitle="As they are in the message, in order (encoded words decoded for reading)." flush class="headers-card">
        <table class="table headers-table" data-testid="headers">
          <tbody>
            {message.headers.map(([name, value], i) => (
              <tr key={i}>
                <th scope="row">{name}</th>
                <td>
                  <code class="header-value">{decodeHeader(value)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}

/** The hidden preview text the base layout puts first in the body (DOMParser documents load nothing). */
function preheaderOf(html: string): string {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const hidden = doc.body?.querySelector<HTMLElement>('div[style*="display:none"]');
  return (hidden?.textContent ?? "").replace(/[\u034f\u200c\u00a0\s]+/g, " ").trim();
}

/** Who it was for and what it was: names looked up from the ids the outbox list carries. */
function Details({ message, meta }: { message: OutboxMessage; meta: OutboxItem | null }) {
  const names = useAsync(
    () =>
      Promise.all([
        meta?.contactId ? api.get<Contact>(`/contacts/${meta.contactId}`).catch(() => null) : null,
        meta?.templateId ? api.get<Template>(`/templates/${meta.templateId}`).catch(() => null) : null,
      ]),
    [meta?.contactId, meta?.templateId],
  );
  const [contact, template] = names.data ?? [null, null];
  return (
    <Card title="Details">
      <dl class="deflist">
        <Row k="Message id">
          <code>{message.id}</code>
        </Row>
        <Row k="Personalised for">
          {meta?.contactId ? <Link href={`/contacts/${meta.contactId}`}>{contact ? displayName(contact) : `Contact #${meta.contactId}`}</Link> : <span class="muted">the sample contact</span>}
        </Row>
        <Row k="Template">{meta?.templateId ? <Link href={`/templates/${meta.templateId}`}>{template ? template.name : `Template #${meta.templateId}`}</Link> : <span class="muted">—</span>}</Row>
        <Row k="Opened">{meta?.openedAt ? formatDateTime(meta.openedAt) : <span class="muted">not yet</span>}</Row>
        <Row k="Clicked">{meta?.clickedAt ? formatDateTime(meta.clickedAt) : <span class="muted">not yet</span>}</Row>
      </dl>
    </Card>
  );
}

function Row({ k, children }: { k: string; children: ComponentChildren }) {
  return (
    <div class="deflist-row">
      <dt>{k}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Check({ ok, icon, title, children }: { ok: boolean | null; icon?: IconName; title: string; children: ComponentChildren }) {
  return (
    <li class={cx("check", ok === true && "is-ok", ok === false && "is-bad")}>
      <span class="check-mark">
        <Icon name={icon ?? (ok === false ? "alert" : ok ? "check" : "info")} size={14} />
      </span>
      <div>
        <strong>{title}</strong>
        <p>{children}</p>
      </div>
    </li>
  );
}

function Checks({ html, meta, header }: { message: OutboxMessage; html: string; meta: OutboxItem | null; header: (n: string) => string | null }) {
  const unsub = header("List-Unsubscribe");
  const oneClick = /One-Click/i.test(header("List-Unsubscribe-Post") ?? "");
  const listId = header("List-Id");
  const marketing = meta?.kind === "marketing";
  const transactional = meta?.kind === "transactional";
  const tracked = new Set([...html.matchAll(/href="([^"]*\/c\/[^"]+)"/g)].map((m) => m[1])).size;
  const pixel = /<img[^>]+src="[^"]*\/o\/[^"]+"/.test(html);
  return (
    <Card title="Checks">
      <ul class="checks">
        {unsub ? (
          <Check ok={oneClick} title="One-click unsubscribe">
            {oneClick ? "List-Unsubscribe with List-Unsubscribe-Post (RFC 8058): Gmail and Yahoo show an unsubscribe button." : "List-Unsubscribe is set, but without List-Unsubscribe-Post, so one-click unsubscribe is off."}
          </Check>
        ) : (
          <Check ok={marketing ? false : null} title="No List-Unsubscribe header">
            {transactional
              ? "Transactional email (receipts, tests) carries no unsubscribe header: it is not marketing."
              : marketing
                ? "Marketing email should carry one; Gmail and Yahoo require it of bulk senders."
                : "Expected only on marketing email."}
          </Check>
        )}
        <Check ok={listId ? true : null} title={listId ? "List-Id" : "No List-Id"}>
          {listId ? <code>{decodeHeader(listId)}</code> : "Set on marketing email so mail clients can group and filter it."}
        </Check>
        <Check ok={header("X-Tern-Message-Id") ? true : false} title="Bounce matching">
          {header("X-Tern-Message-Id") ? "X-Tern-Message-Id lets bounce and complaint webhooks find this message." : "No X-Tern-Message-Id: bounces can only be matched by the provider's id."}
        </Check>
        <Check ok={tracked > 0 || pixel ? true : null} icon="link" title="Tracking">
          {tracked ? `${tracked === 1 ? "1 link goes" : `${tracked} links go`} through signed click tracking (/c/)` : "No tracked links"}
          {pixel ? ", with an open pixel." : ", no open pixel."}
        </Check>
      </ul>
      {!meta && (
        <Alert tone="amber">The message's status could not be found; it may belong to a contact who was erased.</Alert>
      )}
    </Card>
  );
}
