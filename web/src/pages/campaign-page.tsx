/** /campaigns/:id — the editor while it is a draft, the progress and report page once scheduled. */
import { api, ApiError, settings } from "../api";
import { Link } from "../router";
import { useStore } from "../store";
import { EmptyState, LoadError, Loading, PageHeader, useAsync } from "../ui";
import { CampaignEditor } from "./campaign-editor";
import type { Campaign } from "./campaign-model";
import { CampaignView } from "./campaign-view";

export function CampaignPage({ id }: { id: string }) {
  const conf = useStore(settings);
  const loaded = useAsync(() => api.get<Campaign>(`/campaigns/${encodeURIComponent(id)}`), [id]);
  if (loaded.error && !loaded.data) {
    const missing = loaded.error instanceof ApiError && (loaded.error.status === 404 || loaded.error.status === 400);
    return (
      <div class="page">
        <PageHeader title="Campaign" back={{ href: "/campaigns", label: "Campaigns" }} />
        {missing ? (
          <div class="card">
            <EmptyState icon="campaigns" title="This campaign does not exist" actions={<Link class="btn btn-secondary" href="/campaigns">All campaigns</Link>}>
              It may have been deleted: only drafts can be, so it was never sent.
            </EmptyState>
          </div>
        ) : (
          <LoadError error={loaded.error} retry={loaded.reload} />
        )}
      </div>
    );
  }
  // The editor converts times to and from the store's time zone, so it waits for the settings too.
  if (!loaded.data || !conf) {
    return (
      <div class="page">
        <PageHeader title=" " back={{ href: "/campaigns", label: "Campaigns" }} />
        <Loading label="Loading campaign…" />
      </div>
    );
  }
  const c = loaded.data;
  // Keyed by status family: scheduling swaps the editor for the progress page and back.
  return c.status === "draft" ? <CampaignEditor key={`edit-${c.id}`} initial={c} onChanged={loaded.setData} /> : <CampaignView key={`view-${c.id}`} initial={c} onChanged={loaded.setData} />;
}
