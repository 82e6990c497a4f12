/** /campaigns/:id — the editor while it is a draft, the progress and report page once scheduled. */
import { api, settings } from "../api";
import { useStore } from "../store";
import { RecordLoadFailed, RecordLoading, useAsync } from "../ui";
import { CampaignEditor } from "./campaign-editor";
import type { Campaign } from "./campaign-model";
import { CampaignView } from "./campaign-view";

export function CampaignPage({ id }: { id: string }) {
  const conf = useStore(settings);
  const loaded = useAsync(() => api.get<Campaign>(`/campaigns/${encodeURIComponent(id)}`), [id]);
  const back = { href: "/campaigns", label: "Campaigns" };
  if (loaded.error && !loaded.data) {
    return (
      <RecordLoadFailed noun="campaign" icon="campaigns" back={back} error={loaded.error} retry={loaded.reload} listLink missingStatuses={[404, 400]}
        gone="It may have been deleted: only drafts can be, so it was never sent." />
    );
  }
  // The editor converts times to and from the store's time zone, so it waits for the settings too.
  if (!loaded.data || !conf) return <RecordLoading noun="campaign" back={back} />;
  const c = loaded.data;
  // Keyed by status family: scheduling swaps the editor for the progress page and back.
  return c.status === "draft" ? <CampaignEditor key={`edit-${c.id}`} initial={c} onChanged={loaded.setData} /> : <CampaignView key={`view-${c.id}`} initial={c} onChanged={loaded.setData} />;
}
