/** CSV import: pick a file and options, stream it to the server while polling progress, then show the report. */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorMessage, request } from "../api";
import { formatBytes, formatDateTime, formatNumber, plural } from "../format";
import { Icon } from "../icons";
import { Link } from "../router";
import { useTitle } from "../title";
import type { ImportJob, Topic } from "../types";
import { Alert, Badge, Button, ButtonLink, Card, Checkbox, cx, PageHeader, ProgressBar, useAsync } from "../ui";

const MAX_BYTES = 50 * 1024 * 1024;
const POLL_MS = 700;

type Phase = { step: "choose" } | { step: "running"; job: ImportJob; file: File } | { step: "done"; job: ImportJob };

export function ImportPage() {
  useTitle("Import contacts");
  const [phase, setPhase] = useState<Phase>({ step: "choose" });
  return (
    <div class="page">
      <PageHeader title="Import contacts" subtitle="Add or update contacts from a CSV file, such as an export from your shop or previous email tool." back={{ href: "/contacts", label: "Contacts" }} />
      {phase.step === "choose" && <ChooseStep onStarted={(job, file) => setPhase({ step: "running", job, file })} />}
      {phase.step === "running" && <RunningStep job={phase.job} file={phase.file} onDone={(job) => setPhase({ step: "done", job })} />}
      {phase.step === "done" && <Report job={phase.job} onAgain={() => setPhase({ step: "choose" })} />}
    </div>
  );
}

function ChooseStep({ onStarted }: { onStarted: (job: ImportJob, file: File) => void }) {
  const topics = useAsync(() => api.get<{ items: Topic[] }>("/topics").then((r) => r.items), []);
  const recent = useAsync(() => api.get<{ items: ImportJob[] }>("/imports").then((r) => r.items), []);
  const [file, setFile] = useState<File | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [overwrite, setOverwrite] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const pick = (f: File | null | undefined) => {
    setError(null);
    if (!f) return;
    if (f.size > MAX_BYTES) return setError(`${f.name} is ${formatBytes(f.size)}; the limit is 50 MB. Split it into smaller files.`);
    if (f.size === 0) return setError(`${f.name} is empty.`);
    setFile(f);
  };

  const start = async (e: Event) => {
    e.preventDefault();
    if (!file) return setError("Choose a CSV file first.");
    setBusy(true);
    setError(null);
    try {
      const job = await api.post<ImportJob>("/imports", { filename: file.name.slice(0, 200), topics: [...chosen], overwrite });
      onStarted(job, file);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <div class="import-grid">
      <form class="stack-lg" onSubmit={start} noValidate>
        <Card title="1. Choose a file">
          <div
            class={cx("dropzone", dragging && "is-dragging", file && "has-file")}
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(e) => {
              e.preventDefault();
              setDragging(false);
              pick(e.dataTransfer?.files[0]);
            }}
          >
            <input ref={input} id="csv-file" type="file" accept=".csv,text/csv" class="visually-hidden" onChange={(e) => pick(e.currentTarget.files?.[0])} />
            <Icon name={file ? "file" : "upload"} size={26} />
            {file ? (
              <div class="dropzone-text">
                <strong>{file.name}</strong>
                <span class="muted">{formatBytes(file.size)}</span>
              </div>
            ) : (
              <div class="dropzone-text">
                <strong>Drop a CSV file here</strong>
                <span class="muted">UTF-8, up to 50 MB and 100,000 rows</span>
              </div>
            )}
            <label for="csv-file" class="btn btn-secondary btn-sm">
              {file ? "Choose another file" : "Choose file"}
            </label>
          </div>
        </Card>

        <Card title="2. Options">
          <div class="stack">
            <fieldset class="fieldset">
              <legend>Subscribe imported contacts to</legend>
              {topics.data?.length ? (
                <>
                  {topics.data.map((t) => (
                    <Checkbox
                      key={t.key}
                      label={t.name}
                      hint={t.description || undefined}
                      checked={chosen.has(t.key)}
                      onChange={(on) => {
                        const next = new Set(chosen);
                        if (on) next.add(t.key);
                        else next.delete(t.key);
                        setChosen(next);
                      }}
                    />
                  ))}
                  <p class="field-hint">Only choose topics these people agreed to receive. Anyone who already unsubscribed from a topic stays unsubscribed.</p>
                </>
              ) : topics.data ? (
                <p class="field-hint">
                  You have no topics yet, so contacts will be imported without subscriptions. <Link href="/settings/topics">Create a topic</Link> first if you want to subscribe them.
                </p>
              ) : (
                <p class="field-hint">Loading topics…</p>
              )}
            </fieldset>
            <Checkbox
              label="Overwrite existing fields"
              hint="When a contact already exists, replace their name and other fields with the file's values. Otherwise only empty fields are filled in."
              checked={overwrite}
              onChange={setOverwrite}
            />
          </div>
        </Card>
        {error && <Alert>{error}</Alert>}
        <div class="form-actions">
          <Button type="submit" variant="primary" icon="upload" loading={busy} disabled={!file}>
            Start import
          </Button>
        </div>
      </form>

      <div class="stack-lg">
        <Card title="Columns" subtitle="The first row must name the columns. Column names are not case-sensitive.">
          <table class="table table-compact">
            <tbody>
              {(
                [
                  ["email", "Required. Rows without a valid address are rejected."],
                  ["first_name, last_name", "Or a single name column, split at the first space."],
                  ["phone", ""],
                  ["timezone", "An IANA name such as Europe/Paris."],
                  ["birthday", "YYYY-MM-DD, or MM-DD without a year."],
                  ["country", ""],
                  ["external_id", "Your store's customer id (also user_id or customer_id)."],
                ] as const
              ).map(([col, note]) => (
                <tr key={col}>
                  <td class="nowrap">
                    <code>{col}</code>
                  </td>
                  <td class="muted small">{note}</td>
                </tr>
              ))}
              <tr>
                <td class="nowrap">
                  <em>anything else</em>
                </td>
                <td class="muted small">Becomes a custom property. Numbers and true/false are stored as such.</td>
              </tr>
            </tbody>
          </table>
          <pre class="json sample">{"email,first_name,last_name,country,plan\nada@example.com,Ada,Lovelace,GB,gold"}</pre>
        </Card>
        {recent.data && recent.data.length > 0 && (
          <Card title="Recent imports" flush>
            <ul class="recent-imports">
              {recent.data.slice(0, 5).map((j) => (
                <li key={j.id}>
                  <div>
                    <strong class="break">{j.filename}</strong>
                    <span class="muted small">{formatDateTime(j.createdAt)}</span>
                  </div>
                  <div class="recent-import-side">
                    <ImportStatus job={j} />
                    {j.rowsRejected > 0 && (
                      <a class="small" href={`/api/imports/${j.id}/rejects.csv`} download>
                        {plural(j.rowsRejected, "rejected row")}
                      </a>
                    )}
                  </div>
                </li>
              ))}
            </ul>
          </Card>
        )}
      </div>
    </div>
  );
}

function ImportStatus({ job }: { job: ImportJob }) {
  if (job.status === "done") return <Badge tone="green">{plural(job.rowsImported, "contact")} imported</Badge>;
  if (job.status === "failed") return <Badge tone="red">Failed</Badge>;
  if (job.status === "running") return <Badge tone="blue">Running</Badge>;
  return <Badge>Waiting for file</Badge>;
}

function RunningStep({ job: initial, file, onDone }: { job: ImportJob; file: File; onDone: (job: ImportJob) => void }) {
  const [job, setJob] = useState(initial);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await api.get<ImportJob>(`/imports/${initial.id}`);
        if (!stopped) setJob(next);
      } catch {
        // A missed poll is harmless; the upload's own answer carries the final report.
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    timer = setTimeout(poll, POLL_MS);
    (async () => {
      let final: ImportJob | null = null;
      let uploadError: string | null = null;
      try {
        // The File is streamed as the body; the answer arrives when the whole file is imported.
        final = await request<ImportJob>("PUT", `/imports/${initial.id}/csv`, undefined, { body: file, headers: { "Content-Type": "text/csv" } });
      } catch (err) {
        uploadError = errorMessage(err);
      }
      stopped = true;
      clearTimeout(timer);
      // A file that failed outright answers 400 with the report; fetch it to show why.
      if (!final?.rejects) final = await api.get<ImportJob>(`/imports/${initial.id}`).catch(() => null);
      onDone(final ?? { ...initial, status: "failed", error: uploadError ?? "the upload did not finish" });
    })();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);

  const total = job.bytesTotal || file.size;
  const fraction = total ? job.bytesRead / total : 0;
  return (
    <Card title={`Importing ${file.name}`} subtitle="Keep this tab open until the whole file has been read. Contacts appear in the list as each chunk is saved.">
      <div class="stack" aria-live="polite">
        <ProgressBar value={fraction} label="Import progress" />
        <div class="progress-meta">
          <span>
            {formatBytes(job.bytesRead)} of {formatBytes(total)} read
          </span>
          <span>{Math.round(fraction * 100)}%</span>
        </div>
        <div class="import-counts">
          <Count label="Rows processed" value={job.rowsProcessed} />
          <Count label="Imported" value={job.rowsImported} tone="green" />
          <Count label="Rejected" value={job.rowsRejected} tone={job.rowsRejected ? "red" : undefined} />
        </div>
      </div>
    </Card>
  );
}

function Count({ label, value, tone }: { label: string; value: number; tone?: "green" | "red" }) {
  return (
    <div class={cx("count", tone && `count-${tone}`)}>
      <span class="count-value">{formatNumber(value)}</span>
      <span class="count-label">{label}</span>
    </div>
  );
}

function Report({ job, onAgain }: { job: ImportJob; onAgain: () => void }) {
  const rejects = job.rejects ?? [];
  const failed = job.status === "failed";
  return (
    <div class="stack-lg" data-testid="import-report">
      {failed ? (
        <Alert title={job.rowsImported ? "The import stopped before the end" : "The import failed"}>
          {job.error ? `${job.error.charAt(0).toUpperCase()}${job.error.slice(1)}.` : "Something went wrong while reading the file."}
          {job.rowsImported > 0 && ` ${plural(job.rowsImported, "contact was", "contacts were")} imported before it stopped.`}
        </Alert>
      ) : (
        <Alert tone="green" title="Import complete">
          {plural(job.rowsImported, "contact")} imported from {job.filename}
          {job.rowsRejected ? `; ${plural(job.rowsRejected, "row")} could not be imported.` : ", with no rejected rows."}
        </Alert>
      )}
      <Card title="Summary">
        <div class="import-counts">
          <Count label="Rows processed" value={job.rowsProcessed} />
          <Count label="Imported" value={job.rowsImported} tone="green" />
          <Count label="Rejected" value={job.rowsRejected} tone={job.rowsRejected ? "red" : undefined} />
        </div>
      </Card>
      {rejects.length > 0 && (
        <Card
          title="Rejected rows"
          subtitle={rejects.length < job.rowsRejected ? `The first ${formatNumber(rejects.length)} of ${formatNumber(job.rowsRejected)}. Download all of them to fix and import again.` : "Fix these rows and import them again."}
          actions={
            <ButtonLink href={`/api/imports/${job.id}/rejects.csv`} download icon="download" size="sm">
              Download rejected rows
            </ButtonLink>
          }
          flush
        >
          <table class="table">
            <thead>
              <tr>
                <th class="num shrink">Row</th>
                <th>Email</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {rejects.slice(0, 20).map((r) => (
                <tr key={r.row}>
                  <td class="num muted">{r.row}</td>
                  <td class="break">{r.email ?? <span class="muted">—</span>}</td>
                  <td>{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
      <div class="form-actions">
        <Button onClick={onAgain} icon="upload">
          Import another file
        </Button>
        <ButtonLink href="/contacts" variant="primary">
          View contacts
        </ButtonLink>
      </div>
    </div>
  );
}
