/** The template list: open, create, duplicate and delete reusable emails. */
import { useState } from "preact/hooks";
import { api, errorMessage } from "../api";
import { formatDateTime, formatRelative, plural } from "../format";
import { Link, navigate, openRow } from "../router";
import { useTitle } from "../title";
import type { Template, TemplateSummary } from "../types";
import { Button, ConfirmDialog, EmptyState, LoadError, Loading, PageHeader, toast, useAsync } from "../ui";

export function TemplatesPage() {
  useTitle("Templates");
  const list = useAsync(() => api.get<{ items: TemplateSummary[] }>("/templates").then((r) => r.items), []);
  const [deleting, setDeleting] = useState<TemplateSummary | null>(null);
  const [copying, setCopying] = useState<number | null>(null);

  const duplicate = async (t: TemplateSummary) => {
    setCopying(t.id);
    try {
      const full = await api.get<Template>(`/templates/${t.id}`);
      const { id: _id, createdAt: _c, updatedAt: _u, ...rest } = full;
      const copy = await api.post<Template>("/templates", { ...rest, name: `${full.name} (copy)`.slice(0, 200) });
      toast(`Created "${copy.name}"`);
      list.reload();
    } catch (err) {
      toast(errorMessage(err), "red");
    }
    setCopying(null);
  };

  const create = (
    <Button variant="primary" icon="plus" onClick={() => navigate("/templates/new")}>
      New template
    </Button>
  );
  return (
    <div class="page">
      <PageHeader
        title="Templates"
        subtitle={list.data ? `${plural(list.data.length, "template")} · reusable emails for flows, campaigns and transactional sends` : "Reusable emails for flows, campaigns and transactional sends"}
        actions={list.data?.length ? create : undefined}
      />
      {list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.length === 0 ? (
        <div class="card">
          <EmptyState icon="templates" title="No templates yet" actions={create}>
            A template is an email with personalisation, such as a welcome email or an abandoned-cart reminder. Write it once in HTML with Liquid tags, preview it for a real contact and send yourself a test.
          </EmptyState>
        </div>
      ) : (
        <div class="card table-card">
          <table class="table table-clickable">
            <thead>
              <tr>
                <th>Name</th>
                <th class="col-hide-narrow">Subject</th>
                <th class="nowrap">Updated</th>
                <th class="actions-col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((t) => (
                <tr key={t.id} onClick={openRow(`/templates/${t.id}`)}>
                  <td class="cell-name cell-fill-narrow">
                    <Link href={`/templates/${t.id}`} class="row-link">
                      {t.name}
                    </Link>
                    <span class="cell-sub only-narrow liquid-line">{t.subject}</span>
                    {t.fromEmail && <span class="cell-sub">from {t.fromEmail}</span>}
                  </td>
                  <td class="cell-subject col-hide-narrow">
                    <span class="liquid-line">{t.subject}</span>
                  </td>
                  <td class="nowrap muted" title={formatDateTime(t.updatedAt)}>
                    {formatRelative(t.updatedAt)}
                  </td>
                  <td class="actions-col">
                    <Button size="sm" variant="ghost" loading={copying === t.id} onClick={() => duplicate(t)}>
                      Duplicate
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
      {deleting && (
        <ConfirmDialog
          title={`Delete "${deleting.name}"?`}
          confirmLabel="Delete template"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.del(`/templates/${deleting.id}`);
            toast(`Template "${deleting.name}" deleted`);
            setDeleting(null);
            list.reload();
          }}
        >
          <p>Flows and campaigns that use this template will have nothing to send. Emails already sent keep their copy in the outbox and their figures in reports. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
