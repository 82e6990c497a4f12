/** Saved segments: how many contacts each holds now, how that changed day by day, and the prebuilt ones. */
import { useState } from "preact/hooks";
import { api, errorMessage } from "../api";
import { Sparkline } from "../charts";
import { formatDateTime, formatNumber, formatRelative, plural } from "../format";
import { Link, navigate, openRow } from "../router";
import { useTitle } from "../title";
import type { Segment, SegmentDetail } from "../types";
import { Badge, Button, ConfirmDialog, EmptyState, LoadError, PageHeader, TableSkeleton, toast, useAsync, useEachRow } from "../ui";

type Live = { size: number; history: SegmentDetail["history"] } | { error: string };

export function SegmentsPage() {
  useTitle("Segments");
  const list = useAsync(() => api.get<{ items: Segment[] }>("/segments").then((r) => r.items), []);
  // each segment counted now, with its size history
  const live: Map<number, Live> = useEachRow(list.data, (s) => api.get<SegmentDetail>(`/segments/${s.id}`).then((d) => ({ size: d.size, history: d.history })));
  const [deleting, setDeleting] = useState<Segment | null>(null);
  const [copying, setCopying] = useState<number | null>(null);

  const duplicate = async (s: Segment) => {
    setCopying(s.id);
    try {
      const copy = await api.post<Segment>("/segments", { name: `${s.name} (copy)`.slice(0, 200), description: s.description, definition: s.definition });
      toast(`Created “${copy.name}”`, "green", { label: "Open it", href: `/segments/${copy.id}` });
      list.reload();
    } catch (err) {
      toast(errorMessage(err), "red");
    }
    setCopying(null);
  };

  const create = (
    <Button variant="primary" icon="plus" onClick={() => navigate("/segments/new")}>
      New segment
    </Button>
  );
  return (
    <div class="page">
      <PageHeader
        title="Segments"
        subtitle={list.data ? `${plural(list.data.length, "segment")} · groups of contacts that keep themselves up to date` : "Groups of contacts that keep themselves up to date"}
        actions={create}
      />
      {list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <TableSkeleton label="Loading segments" rows={5} columns={[["Segment", 46], ["Contacts", 12, "num"], ["Growth", 22], ["Last daily count", 16, "col-hide-narrow"]]} />
      ) : list.data.length === 0 ? (
        <div class="card">
          <EmptyState icon="segments" title="No segments yet" actions={create}>
            A segment is a group of contacts defined by who they are and what they did, such as “ordered twice in the last 90 days” or “opened nothing since spring”. Use segments as campaign audiences and in flows.
          </EmptyState>
        </div>
      ) : (
        <div class="card table-card">
          <table class="table table-clickable segments-table" data-testid="segments-table">
            <thead>
              <tr>
                <th>Segment</th>
                <th class="num">Contacts</th>
                <th>Growth</th>
                <th class="nowrap col-hide-narrow" title="Tern counts every segment once a day; those counts make the growth line">
                  Last daily count
                </th>
                <th class="actions-col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((s) => (
                <Row key={s.id} s={s} live={live.get(s.id)} copying={copying === s.id} onDuplicate={() => duplicate(s)} onDelete={() => setDeleting(s)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete “${deleting.name}”?`}
          confirmLabel="Delete segment"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.del(`/segments/${deleting.id}`);
            toast(`Segment “${deleting.name}” deleted`);
            setDeleting(null);
            list.reload();
          }}
        >
          <p>The contacts stay; only this grouping of them goes, with its size history.{deleting.prebuilt && " This prebuilt segment will not come back on its own."} This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function Row({ s, live, copying, onDuplicate, onDelete }: { s: Segment; live: Live | undefined; copying: boolean; onDuplicate: () => void; onDelete: () => void }) {
  const href = `/segments/${s.id}`;
  const now = live && "size" in live ? live : null;
  const size = now?.size ?? s.size;
  // The trend: the daily counts, then today's live count.
  const trend = now ? [...now.history.map((h) => h.size), ...(now.history.at(-1)?.day === new Date().toISOString().slice(0, 10) ? [] : [now.size])] : [];
  const change = trend.length >= 2 ? trend[trend.length - 1]! - trend[0]! : null;
  const since = now?.history[0]?.day;
  return (
    <tr data-segment={s.name} onClick={openRow(href)}>
      <td class="cell-name cell-fill-narrow">
        <span class="segment-name">
          <Link href={href} class="row-link">
            {s.name}
          </Link>
          {s.prebuilt && <Badge tone="blue">Prebuilt</Badge>}
        </span>
        {s.description && <span class="cell-sub">{s.description}</span>}
      </td>
      <td class="num segment-size" data-testid="segment-size">
        {size === null ? <span class="skeleton skeleton-num" /> : <strong class={now ? undefined : "muted"}>{formatNumber(size)}</strong>}
        {live && "error" in live && (
          <span class="cell-sub text-danger" title={live.error}>
            not counted
          </span>
        )}
      </td>
      <td>
        {trend.length >= 2 ? (
          <span class="segment-trend">
            <Sparkline values={trend} label={`${s.name}: ${trend.map(formatNumber).join(", ")}`} />
            <span class={change! > 0 ? "trend-up" : change! < 0 ? "trend-down" : "muted"}>
              {change === 0 ? "no change" : `${change! > 0 ? "+" : "−"}${formatNumber(Math.abs(change!))}`}
              {since && <span class="cell-sub">since {new Date(`${since}T00:00:00Z`).toLocaleDateString(undefined, { day: "numeric", month: "short", timeZone: "UTC" })}</span>}
            </span>
          </span>
        ) : (
          <span class="muted small nowrap" title="The growth line starts after the first daily count">{now ? "starts tomorrow" : ""}</span>
        )}
      </td>
      <td class="nowrap muted col-hide-narrow" title={s.countedAt ? formatDateTime(s.countedAt) : "Counted once a day"}>
        {s.countedAt ? formatRelative(s.countedAt) : "not yet"}
      </td>
      <td class="actions-col">
        <Button size="sm" variant="ghost" class="col-hide-narrow" loading={copying} onClick={onDuplicate}>
          Duplicate
        </Button>
        <Button size="sm" variant="ghost" class="text-danger" onClick={onDelete}>
          Delete
        </Button>
      </td>
    </tr>
  );
}

