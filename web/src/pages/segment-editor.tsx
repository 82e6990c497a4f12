/**
 * A segment: name and conditions, the live count and a preview of who matches while editing (debounced, nothing
 * saved), save/delete, and for a saved segment its size over time from the daily counts.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, ApiError, errorMessage, fieldErrors, formError, SEE_FIELDS, settings } from "../api";
import { TimeChart } from "../charts";
import { displayName, formatDateTime, formatMoney, formatNumber, formatRelative, fullName, plural } from "../format";
import { Icon } from "../icons";
import { Link, navigate, useLeaveGuard } from "../router";
import { useStore } from "../store";
import { emptyGroup, issueTarget, problems, type Group, type Names } from "../segment-model";
import { useTitle } from "../title";
import type { ContactList, FlowSummary, Segment, SegmentDetail, SegmentPreviewContact, Topic } from "../types";
import { Alert, Badge, Button, Card, ConfirmDialog, cx, EmptyState, LoadError, PageHeader, RecordLoadFailed, RecordLoading, Spinner, TextField, toast, useAsync, useDebounced } from "../ui";
import { StatusBadge } from "./contacts";
import { SegmentBuilder, type BuilderContext } from "./segment-builder";

/** JSON with object keys sorted: the same definition gives the same text whoever ordered its keys. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));

/** A segment just created, handed to its own page so it opens without loading again. */
let created: SegmentDetail | null = null;

export function SegmentEditorPage({ id }: { id: string }) {
  const isNew = id === "new";
  const loaded = useAsync<SegmentDetail | null>(async () => {
    if (isNew) return null;
    if (created && String(created.id) === id) {
      const c = created;
      created = null;
      return c;
    }
    return api.get<SegmentDetail>(`/segments/${encodeURIComponent(id)}`);
  }, [id]);
  const back = { href: "/segments", label: "Segments" };
  if (loaded.error) return <RecordLoadFailed noun="segment" icon="segments" back={back} error={loaded.error} retry={loaded.reload} listLink />;
  if (loaded.loading && !loaded.data) return <RecordLoading noun="segment" back={back} />;
  return <Editor initial={loaded.data ?? null} />;
}

interface Counted {
  /** the definition (as JSON) this count is for */
  key: string;
  count: number;
  preview: SegmentPreviewContact[];
}

function Editor({ initial }: { initial: SegmentDetail | null }) {
  const conf = useStore(settings);
  const currency = conf?.store.currency ?? "USD";
  const [segment, setSegment] = useState<Segment | null>(initial);
  const [name, setName] = useState(initial?.name ?? "");
  const [description, setDescription] = useState(initial?.description ?? "");
  const [definition, setDefinition] = useState<Group>(initial?.definition ?? emptyGroup());
  const [saved, setSaved] = useState(() => ({ name: initial?.name ?? "", description: initial?.description ?? "", definition: canonical(initial?.definition ?? emptyGroup()) }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState(false);
  useTitle(segment ? segment.name : "New segment");

  const others = useAsync(async () => {
    const [topics, segments, flows, contacts] = await Promise.all([
      api.get<{ items: Topic[] }>("/topics").then((r) => r.items),
      api.get<{ items: Segment[] }>("/segments").then((r) => r.items),
      api.get<{ items: FlowSummary[] }>("/flows").then((r) => r.items, () => [] as FlowSummary[]),
      api.get<ContactList>("/contacts?limit=1").then((r) => r.total ?? null, () => null),
    ]);
    return { topics, segments, flows, contacts };
  }, []);

  // ---- live count -----------------------------------------------------------------------------------
  const key = canonical(definition);
  const missing = useMemo(() => problems(definition), [key]);
  const debounced = useDebounced(key, 400);
  const [counted, setCounted] = useState<Counted | null>(initial ? { key: canonical(initial.definition), count: initial.size, preview: initial.preview } : null);
  const [counting, setCounting] = useState(false);
  const [refused, setRefused] = useState<{ key: string; byPath: Map<string, string>; general: string | null } | null>(null);
  const [countError, setCountError] = useState<string | null>(null);
  const seq = useRef(0);
  const complete = missing.size === 0;

  useEffect(() => {
    if (!complete || debounced !== key || counted?.key === debounced) return;
    const mine = ++seq.current;
    setCounting(true);
    api.post<{ count: number; preview?: SegmentPreviewContact[] }>("/segments/count", { definition: JSON.parse(debounced), preview: true, ...(segment ? { segmentId: segment.id } : {}) }).then(
      (r) => {
        if (mine !== seq.current) return;
        setCounted({ key: debounced, count: r.count, preview: r.preview ?? [] });
        setRefused(null);
        setCountError(null);
        setCounting(false);
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        setCounting(false);
        if (err instanceof ApiError && err.status === 400 && err.issues.length) {
          setRefused({ key: debounced, ...issuesByCondition(err) });
          setCountError(null);
        } else setCountError(errorMessage(err));
      },
    );
  }, [debounced, complete, key]);

  const issues = refused?.key === key ? refused : null;
  const stale = !counted || counted.key !== key;

  // ---- saving -------------------------------------------------------------------------------------------
  const changed = {
    name: name.trim() !== saved.name,
    description: description.trim() !== saved.description,
    definition: key !== saved.definition,
  };
  const dirty = !segment || changed.name || changed.description || changed.definition;
  useLeaveGuard((segment ? changed.name || changed.description || changed.definition : name.trim() || definition.conditions.length) ? "You have unsaved changes to this segment. Leave without saving?" : null);

  const save = async () => {
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = "Give the segment a name, for example “Repeat customers in the UK”";
    if (Object.keys(local).length || !complete) {
      setErrors(local);
      setError(!complete ? "Some conditions are not finished yet: see the notes beside them." : null);
      if (local.name) document.querySelector<HTMLInputElement>("#segment-name input, .segment-details input")?.focus();
      return;
    }
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      if (segment) {
        const patch: Record<string, unknown> = {};
        if (changed.name) patch.name = name.trim();
        if (changed.description) patch.description = description.trim();
        if (changed.definition) patch.definition = definition;
        const row = Object.keys(patch).length ? await api.patch<Segment>(`/segments/${segment.id}`, patch) : segment;
        setSegment(row);
        // What was sent is what the server accepted: it becomes the saved state, so nothing looks changed.
        setSaved({ name: row.name, description: row.description, definition: key });
        setBusy(false);
        toast("Segment saved");
      } else {
        const row = await api.post<Segment & { size: number }>("/segments", { name: name.trim(), description: description.trim(), definition });
        setSaved({ name: row.name, description: row.description, definition: key });
        created = { ...row, preview: counted?.key === key ? counted.preview : [], history: [] };
        toast(`Segment “${row.name}” saved`);
        navigate(`/segments/${row.id}`, { replace: true, force: true });
      }
    } catch (err) {
      setBusy(false);
      const byField = fieldErrors(err);
      setErrors(byField);
      if (err instanceof ApiError && err.issues.some((i) => i.path.startsWith("definition"))) {
        setRefused({ key, ...issuesByCondition(err) });
        setError("The segment was not saved: see the notes at the conditions.");
      } else setError(formError(err, ["name", "description"]));
    }
  };

  const onName = (v: string) => {
    setName(v);
    if (errors.name) {
      setErrors({ ...errors, name: "" });
      if (error === SEE_FIELDS) setError(null);
    }
  };

  const data = others.data;
  const names: Names = {
    topic: (k) => data?.topics.find((t) => t.key === k)?.name ?? k,
    segment: (id) => data?.segments.find((s) => s.id === id)?.name ?? `Segment #${id}`,
    flow: (id) => data?.flows.find((f) => f.id === id)?.name ?? `Flow #${id}`,
    currency,
  };
  const context: BuilderContext = {
    topics: data?.topics ?? [],
    segments: (data?.segments ?? []).filter((s) => s.id !== segment?.id).map((s) => ({ id: s.id, name: s.name })),
    flows: data?.flows ?? [],
    names,
    missing,
    issues: issues?.byPath ?? new Map(),
  };

  const status = !segment ? (
    "Not saved yet"
  ) : dirty ? (
    <Badge tone="amber" dot>
      Unsaved changes
    </Badge>
  ) : (
    <span title={formatDateTime(segment.updatedAt)}>Saved {formatRelative(segment.updatedAt)}</span>
  );

  return (
    <div class="page">
      <PageHeader
        back={{ href: "/segments", label: "Segments" }}
        title={name.trim() || segment?.name || "New segment"}
        subtitle={
          <span class="editor-status">
            {segment?.prebuilt && <Badge tone="blue">Prebuilt</Badge>}
            {status}
          </span>
        }
        actions={
          <>
            {segment && (
              <Button variant="danger" icon="trash" onClick={() => setDeleting(true)}>
                Delete
              </Button>
            )}
            <Button variant="primary" onClick={save} loading={busy} disabled={!dirty && !busy}>
              {segment ? "Save segment" : "Create segment"}
            </Button>
          </>
        }
      />
      {error && (
        <div class="editor-alert">
          <Alert>{error}</Alert>
        </div>
      )}

      <CountBar counted={counted} stale={stale} counting={counting} complete={complete} refused={Boolean(issues)} error={countError} total={data?.contacts ?? null} conditions={definition.conditions.length} />

      <div class="stack-lg">
        <Card class="segment-details">
          <div class="grid-2">
            <TextField label="Name" value={name} onValue={onName} placeholder="Repeat customers in the UK" error={errors.name} autoFocus={!segment} maxLength={200} />
            <TextField label="Description" aside="Optional" value={description} onValue={setDescription} placeholder="What this group is for" error={errors.description} maxLength={1000} />
          </div>
        </Card>

        <Card title="Conditions" subtitle="Contacts are in the segment while they match; it updates itself as people act. Anonymous visitors are never included.">
          {issues?.general && (
            <div class="seg-general-issue">
              <Alert>{issues.general}</Alert>
            </div>
          )}
          {others.error ? <LoadError error={others.error} retry={others.reload} /> : <SegmentBuilder definition={definition} onChange={setDefinition} context={context} />}
        </Card>

        <PreviewCard counted={counted} stale={stale} currency={currency} />
        {segment && initial && <HistoryCard history={initial.history} live={!stale && !changed.definition ? counted?.count ?? null : null} />}
      </div>

      {deleting && segment && (
        <ConfirmDialog
          title={`Delete “${segment.name}”?`}
          confirmLabel="Delete segment"
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await api.del(`/segments/${segment.id}`);
            setSaved({ name: name.trim(), description: description.trim(), definition: key });
            toast(`Segment “${segment.name}” deleted`);
            setDeleting(false);
            navigate("/segments", { force: true });
          }}
        >
          <p>The contacts stay; only this grouping of them goes, with its size history. Campaigns already sent keep their figures.{segment.prebuilt && " This prebuilt segment will not come back on its own."} This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** Server issues by the condition they are about; the rest are about the whole definition. */
function issuesByCondition(err: ApiError): { byPath: Map<string, string>; general: string | null } {
  const byPath = new Map<string, string>();
  const general: string[] = [];
  for (const i of err.issues) {
    if (!i.path.startsWith("definition")) continue;
    const t = issueTarget(i);
    if (t.path) byPath.set(t.path, byPath.has(t.path) ? `${byPath.get(t.path)}; ${t.message}` : t.message);
    else general.push(t.message);
  }
  return { byPath, general: general.length ? general.join("; ") : byPath.size ? null : err.message };
}

function CountBar({ counted, stale, counting, complete, refused, error, total, conditions }: { counted: Counted | null; stale: boolean; counting: boolean; complete: boolean; refused: boolean; error: string | null; total: number | null; conditions: number }) {
  const share = counted && total ? counted.count / total : null;
  let state;
  if (!complete) state = <span class="countbar-state is-warn"><Icon name="info" size={15} />Finish the highlighted condition to update the count</span>;
  else if (refused) state = <span class="countbar-state is-error"><Icon name="alert" size={15} />Not counted: see the note at the condition</span>;
  else if (error) state = <span class="countbar-state is-error"><Icon name="alert" size={15} />{error}</span>;
  else if (stale || counting) state = <span class="countbar-state"><Spinner small />Counting…</span>;
  else state = <span class="countbar-state is-live"><span class="live-dot" />Live count</span>;
  return (
    <div class={cx("countbar", (stale || !complete || refused) && "is-stale")} data-testid="segment-count" role="status" aria-live="polite">
      <div class="countbar-main">
        <span class="countbar-icon">
          <Icon name="contacts" size={18} />
        </span>
        <div class="countbar-figure">
          <strong data-testid="segment-count-value">{counted ? formatNumber(counted.count) : "—"}</strong>
          <span>
            {counted ? (counted.count === 1 ? "contact matches" : "contacts match") : "contacts match"}
            {conditions === 0 && counted ? " (no conditions: everyone)" : ""}
          </span>
        </div>
        {share !== null && total !== null && (
          <div class="countbar-share" title={`${formatNumber(counted!.count)} of ${formatNumber(total)} identified contacts`}>
            <div class="countbar-share-bar">
              <span style={{ width: `${Math.min(100, share * 100)}%` }} />
            </div>
            <span>
              {share > 0 && share < 0.01 ? "<1" : Math.round(share * 100)}% of {formatNumber(total)} contacts
            </span>
          </div>
        )}
      </div>
      {state}
    </div>
  );
}

function PreviewCard({ counted, stale, currency }: { counted: Counted | null; stale: boolean; currency: string }) {
  const rows = counted?.preview ?? [];
  return (
    <Card
      title="Who matches"
      subtitle={counted ? (counted.count > rows.length ? `The ${rows.length} most recently added of ${plural(counted.count, "contact")}` : rows.length ? `All ${plural(counted.count, "contact")}` : undefined) : "Contacts appear here as soon as the conditions are counted."}
      flush
    >
      {!counted ? (
        <div class="card-empty">
          <Spinner small />
        </div>
      ) : rows.length === 0 ? (
        <EmptyState icon="search" title="Nobody matches yet" compact>
          Loosen a condition: a longer time window, “any” instead of “all”, or fewer filters.
        </EmptyState>
      ) : (
        <div class={cx("table-scroll", stale && "is-refreshing")} data-testid="segment-preview">
          <table class="table table-clickable">
            <thead>
              <tr>
                <th>Name</th>
                <th class="col-email">Email</th>
                <th>Status</th>
                <th class="num">Orders</th>
                <th class="num">Spent</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => {
                const href = `/contacts/${c.id}`;
                return (
                  <tr
                    key={c.id}
                    onClick={(e) => {
                      if ((e.target as HTMLElement).closest("a")) return;
                      navigate(href);
                    }}
                  >
                    <td class="cell-name">
                      <Link href={href} class="row-link">
                        {fullName(c) || displayName({ ...c, externalId: null })}
                      </Link>
                      {c.email && <span class="cell-sub only-narrow">{c.email}</span>}
                    </td>
                    <td class="cell-email col-email">{c.email ?? <span class="muted">—</span>}</td>
                    <td>
                      <StatusBadge status={c.status} />
                    </td>
                    <td class="num">{formatNumber(c.orderCount)}</td>
                    <td class="num">{c.revenue ? formatMoney(c.revenue, currency) : <span class="muted">—</span>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

const DAY = 86_400_000;
const dayKey = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Daily sizes from the snapshots, every day in the range present (gaps stay gaps), ending today with the live count. */
function HistoryCard({ history, live }: { history: { day: string; size: number }[]; live: number | null }) {
  const today = dayKey(Date.now());
  const sizes = new Map(history.map((h) => [h.day, h.size]));
  if (live !== null && !sizes.has(today)) sizes.set(today, live);
  const first = history[0]?.day ?? today;
  const days: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); dayKey(t) <= today; t += DAY) days.push(dayKey(t));
  const values = days.map((d) => sizes.get(d) ?? null);
  const points = values.filter((v) => v !== null).length;
  const change = points >= 2 ? (values.filter((v) => v !== null).at(-1) as number) - (values.find((v) => v !== null) as number) : null;
  return (
    <Card
      title="Size over time"
      subtitle={
        points >= 2 && change !== null
          ? `${change === 0 ? "No change" : `${change > 0 ? "+" : "−"}${formatNumber(Math.abs(change))}`} since ${formatDayLong(first)} · counted once a day`
          : "Tern counts every segment once a day."
      }
    >
      {points >= 2 ? (
        <div data-testid="segment-history">
          <TimeChart days={days} series={[{ key: "size", label: "Contacts in the segment", color: "var(--chart-1)", kind: "area", values }]} label={`Segment size per day from ${first} to today`} legend={false} height={180} />
        </div>
      ) : (
        <div class="history-empty">
          <Icon name="clock" size={18} />
          <p>
            The chart starts after the first daily count{live !== null ? `; today the segment has ${plural(live, "contact")}` : ""}. Come back tomorrow to see it grow or shrink.
          </p>
        </div>
      )}
    </Card>
  );
}

const longDayFmt = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
const formatDayLong = (day: string) => longDayFmt.format(Date.parse(`${day}T00:00:00Z`));
