/** Signup forms: the list with their figures, and creating one (it opens in the editor with a live preview). */
import { useState } from "preact/hooks";
import { api, errorMessage, fieldErrors, formError, settings } from "../api";
import { formatDateTime, formatNumber, formatRelative, plural } from "../format";
import { Link, navigate, openRow } from "../router";
import { useStore } from "../store";
import { useTitle } from "../title";
import type { Topic } from "../types";
import { Alert, Badge, Button, Checkbox, ConfirmDialog, Dialog, EmptyState, LoadError, PageHeader, Segmented, TableSkeleton, TextField, cx, toast, useAsync } from "../ui";
import { MODE_LABEL, isHex, type DisplayMode, type FormDetail, type FormListItem } from "./form-model";
import "./forms.css";

/**
 * Where the section lives in the admin. Not /forms: everything under /forms/ belongs to the public endpoints
 * (the embed script, hosted pages, confirmation links), so an admin address there would not survive a reload.
 */
export const FORMS_PATH = "/signup-forms";

/** A form just created, handed to the editor so it opens without a second request. */
let created: FormDetail | null = null;
export function takeCreatedForm(id: string): FormDetail | null {
  const form = created && String(created.id) === id ? created : null;
  created = null;
  return form;
}

export function FormsPage() {
  useTitle("Forms");
  const list = useAsync(() => api.get<{ items: FormListItem[] }>("/forms").then((r) => r.items), []);
  const topics = useAsync(() => api.get<{ items: Topic[] }>("/topics").then((r) => r.items), []);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<FormListItem | null>(null);
  const [toggling, setToggling] = useState<number | null>(null);

  const names = new Map((topics.data ?? []).map((t) => [t.key, t.name]));
  const toggle = async (f: FormListItem) => {
    setToggling(f.id);
    try {
      await api.post(`/forms/${f.id}/${f.status === "active" ? "disable" : "enable"}`);
      toast(f.status === "active" ? `“${f.name}” is disabled: sites that embed it show nothing` : `“${f.name}” accepts signups again`);
      list.reload();
    } catch (err) {
      toast(errorMessage(err), "red");
    }
    setToggling(null);
  };

  const create = (
    <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
      New form
    </Button>
  );
  return (
    <div class="page">
      <PageHeader
        title="Forms"
        subtitle={list.data ? `${plural(list.data.length, "form")} · signup forms for your website, with consent records and double opt-in` : "Signup forms for your website, with consent records and double opt-in"}
        actions={list.data?.length ? create : undefined}
      />
      {list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <TableSkeleton label="Loading forms" rows={3} columns={[["Form", 40], ["Status", 14], ["Display", 14, "col-hide-narrow"], ["Topics", 22, "col-hide-narrow"], ["Submissions", 10, "num"]]} />
      ) : list.data.length === 0 ? (
        <div class="card">
          <EmptyState icon="forms" title="No forms yet" actions={create}>
            A signup form goes on your website (inline, as a popup or as a slide-in) or on a page Tern hosts. Each signup is stored with the consent text, page, time and IP address, and topics with double opt-in get a confirmation email first.
          </EmptyState>
        </div>
      ) : (
        <div class="card table-card">
          <table class="table table-clickable forms-table" data-testid="forms-table">
            <thead>
              <tr>
                <th>Form</th>
                <th>Status</th>
                <th class="col-hide-narrow">Display</th>
                <th class="col-hide-narrow">Topics</th>
                <th class="num" title="Accepted submissions (bots are not counted)">
                  Submissions
                </th>
                <th class="num">Confirmed</th>
                <th class="num" title="Waiting for the person to click the link in the confirmation email">
                  Pending
                </th>
                <th class="actions-col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((f) => {
                const href = `${FORMS_PATH}/${f.id}`;
                const topicNames = f.topics.map((k) => names.get(k) ?? k);
                return (
                  <tr key={f.id} data-form={f.name} onClick={openRow(href)}>
                    <td class="cell-name cell-fill-narrow">
                      <Link href={href} class="row-link">
                        {f.name}
                      </Link>
                      <span class="cell-sub" title={formatDateTime(f.updatedAt)}>
                        Edited {formatRelative(f.updatedAt)}
                      </span>
                      <span class="cell-sub only-narrow">
                        {f.mode ? MODE_LABEL[f.mode] : "—"} · {topicNames.join(", ")}
                      </span>
                    </td>
                    <td>
                      {f.status === "active" ? (
                        <Badge tone="green" dot>
                          Active
                        </Badge>
                      ) : (
                        <Badge dot>Disabled</Badge>
                      )}
                    </td>
                    <td class="col-hide-narrow nowrap">
                      {f.mode ? MODE_LABEL[f.mode] : <span class="muted">—</span>}
                    </td>
                    <td class="col-hide-narrow">
                      <span class="form-topic-chips">
                        {topicNames.map((n) => (
                          <span class="chip" key={n}>
                            {n}
                          </span>
                        ))}
                      </span>
                    </td>
                    <td class="num">{formatNumber(f.submissions)}</td>
                    <td class="num">{formatNumber(f.confirmed)}</td>
                    <td class={cx("num", f.pending > 0 ? undefined : "muted")}>{formatNumber(f.pending)}</td>
                    <td class="actions-col">
                      <Button size="sm" variant="ghost" class="col-hide-narrow" loading={toggling === f.id} onClick={() => toggle(f)}>
                        {f.status === "active" ? "Disable" : "Enable"}
                      </Button>
                      <Button size="sm" variant="ghost" class="text-danger" onClick={() => setDeleting(f)}>
                        Delete
                      </Button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {creating && <CreateFormDialog topics={topics.data ?? null} topicsError={topics.error} onClose={() => setCreating(false)} />}
      {deleting && (
        <ConfirmDialog
          title={`Delete “${deleting.name}”?`}
          confirmLabel="Delete form"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.del(`/forms/${deleting.id}`);
            toast(`Form “${deleting.name}” deleted`);
            setDeleting(null);
            list.reload();
          }}
        >
          <DeleteText />
        </ConfirmDialog>
      )}
    </div>
  );
}

export function DeleteText() {
  return (
    <p>
      Sites that embed it will show nothing, and its hosted page and pending confirmation links stop working. People who signed up keep their subscriptions and consent records. This cannot be undone; to pause signups, disable the form instead.
    </p>
  );
}

function CreateFormDialog({ topics, topicsError, onClose }: { topics: Topic[] | null; topicsError: unknown; onClose: () => void }) {
  const conf = useStore(settings);
  const offered = (topics ?? []).filter((t) => t.kind === "marketing");
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>(() => (offered[0] ? [offered[0].key] : []));
  const [mode, setMode] = useState<DisplayMode>("inline");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = "Give the form a name, for example “Footer signup”";
    if (!chosen.length) local.topics = "Choose at least one topic people sign up for";
    setErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    const brand = conf?.store.brandColor ?? "";
    try {
      const form = await api.post<FormDetail>("/forms", {
        name: name.trim(),
        topics: chosen.map((key) => ({ key })),
        display: { mode },
        ...(isHex(brand) ? { style: { accentColor: brand } } : {}),
      });
      created = form;
      toast(`Form “${form.name}” created`);
      navigate(`${FORMS_PATH}/${form.id}`);
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(formError(err, ["name", "topics"]));
      setBusy(false);
    }
  };

  const none = topics !== null && offered.length === 0;
  return (
    <Dialog
      title="New signup form"
      description="Name it and choose what people sign up for. Fields, wording, style and display rules come next, with a live preview."
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" loading={busy} disabled={none}>
            Create form
          </Button>
        </>
      }
    >
      {error && <Alert>{error}</Alert>}
      <TextField label="Name" value={name} onValue={setName} placeholder="Footer signup" hint="Only you see this." autoFocus error={errors.name} maxLength={200} />
      <fieldset class="fieldset">
        <legend>Topics</legend>
        {topicsError ? (
          <LoadError error={topicsError} />
        ) : !topics ? null : none ? (
          <Alert tone="amber" title="Create a topic first" action={<Link class="btn btn-secondary btn-sm" href="/settings/topics">Manage topics</Link>}>
            A form subscribes people to topics, such as “Newsletter”. You have no marketing topics yet.
          </Alert>
        ) : (
          <div class="topic-toggles">
            {offered.map((t) => (
              <Checkbox
                key={t.key}
                label={t.name}
                hint={t.doubleOptIn ? "Double opt-in" : "Single opt-in"}
                checked={chosen.includes(t.key)}
                onChange={(on) => setChosen(on ? [...chosen, t.key] : chosen.filter((k) => k !== t.key))}
              />
            ))}
          </div>
        )}
        {errors.topics && <p class="field-error">{errors.topics}</p>}
      </fieldset>
      <div class="field">
        <span class="field-label">Display</span>
        <Segmented
          label="Display"
          value={mode}
          onValue={(v) => setMode(v as DisplayMode)}
          options={[
            { value: "inline", label: "Inline" },
            { value: "popup", label: "Popup" },
            { value: "slide_in", label: "Slide-in" },
          ]}
        />
        <p class="field-hint">{MODE_HINT[mode]}</p>
      </div>
    </Dialog>
  );
}

export const MODE_HINT: Record<DisplayMode, string> = {
  inline: "Part of the page, where you paste the snippet: a footer, a sidebar, a landing page.",
  popup: "A window over the page that dims it. Opens after a delay, a scroll depth or when the visitor is about to leave.",
  slide_in: "A small box in the bottom-right corner that leaves the page usable. Opens by the same rules as a popup.",
};

