/**
 * The campaign editor (drafts): content, audience with the live estimate, sender and subject overrides, an A/B
 * test, schedule and throttle. Changes save themselves (the estimate is the server's count of the saved
 * audience); Schedule shows what is missing beside the fields it concerns, template lint findings first.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, errorMessage, settings, type Issue } from "../api";
import { InboxLine } from "../email-view";
import { formatDateTime, formatNumber, formatRelative, plural } from "../format";
import { Icon } from "../icons";
import { Link, navigate, useLeaveGuard } from "../router";
import { useStore } from "../store";
import { useTitle } from "../title";
import type { RenderedEmail, Segment, Template, TemplateSummary, Topic } from "../types";
import { Alert, Badge, Button, Card, Checkbox, ConfirmDialog, cx, DefinitionList, PageHeader, Segmented, SelectField, Spinner, TextField, toast, useAsync, useDebounced } from "../ui";
import { AudienceField, segmentValue, sizeNote, topicValue, type AudienceOption } from "./campaign-audience";
import { abSentence, browserZone, formatInZone, hoursText, scheduleText, VARIANT_KEYS, zonedInstant, zonedParts, zoneAbbrev, type AbTest, type Campaign, type Estimate, type Metric, type Schedule } from "./campaign-model";
import "./campaigns.css";

interface LintFinding {
  code: string;
  level: "error" | "warning";
  message: string;
}
type TemplateDetail = Template & { lint: LintFinding[] };

interface VariantForm {
  key: string;
  subject: string;
  preheader: string;
  templateId: string;
}

interface Form {
  name: string;
  templateId: string;
  topicId: string;
  /** "s:12" segments and "t:key" topics: anyone in any of them */
  include: string[];
  exclude: string[];
  fromName: string;
  fromEmail: string;
  replyTo: string;
  subject: string;
  preheader: string;
  when: "now" | "at" | "local";
  date: string;
  time: string;
  throttle: boolean;
  maxPerHour: string;
  ab: boolean;
  abMode: "subject" | "template";
  variants: VariantForm[];
  testShare: number;
  metric: Metric;
  waitHours: number;
}

const WAITS = [0.5, 1, 2, 4, 6, 12, 24, 48, 72];

function toForm(c: Campaign, zone: string): Form {
  const s = c.schedule;
  const at = s?.kind === "at" ? zonedParts(s.at, zone) : s?.kind === "local" ? { date: s.date, time: s.time } : { date: "", time: "" };
  const ab = c.abTest;
  return {
    name: c.name,
    templateId: c.templateId ? String(c.templateId) : "",
    topicId: c.topicId ? String(c.topicId) : "",
    include: [...c.audience.segments.map(segmentValue), ...c.audience.topics.map(topicValue)],
    exclude: c.audience.excludeSegments.map(segmentValue),
    fromName: c.sender.fromName,
    fromEmail: c.sender.fromEmail,
    replyTo: c.sender.replyTo,
    subject: c.subject ?? "",
    preheader: c.preheader ?? "",
    when: s?.kind === "at" || s?.kind === "local" ? s.kind : "now",
    ...at,
    throttle: c.maxPerHour !== null,
    maxPerHour: c.maxPerHour ? String(c.maxPerHour) : "",
    ab: Boolean(ab),
    abMode: ab?.variants.some((v) => v.templateId) ? "template" : "subject",
    variants: ab ? ab.variants.map((v) => ({ key: v.key, subject: v.subject ?? "", preheader: v.preheader ?? "", templateId: v.templateId ? String(v.templateId) : "" })) : [],
    testShare: ab?.testShare ?? 20,
    metric: ab?.metric ?? "opens",
    waitHours: ab?.waitHours ?? 4,
  };
}

function scheduleOf(f: Form, zone: string): Schedule | null {
  if (f.when === "now") return { kind: "now" };
  if (!f.date || !f.time) return null;
  return f.when === "at" ? { kind: "at", at: zonedInstant(f.date, f.time, zone) } : { kind: "local", date: f.date, time: f.time };
}

const wholeNumber = (s: string) => (/^\d{1,8}$/.test(s.trim()) && Number(s) >= 1 ? Number(s) : null);

/** The PATCH body: exactly what the API stores (empty overrides cleared, unused A/B fields left out). */
function toBody(f: Form, zone: string) {
  const ab: AbTest | null = f.ab
    ? {
        variants: f.variants.map((v, i) => ({
          key: v.key,
          ...(f.abMode === "subject"
            ? { ...(v.subject.trim() ? { subject: v.subject.trim() } : {}), ...(v.preheader.trim() ? { preheader: v.preheader.trim() } : {}) }
            : i > 0 && v.templateId
              ? { templateId: Number(v.templateId) }
              : {}),
        })),
        testShare: f.testShare,
        metric: f.metric,
        waitHours: f.waitHours,
      }
    : null;
  return {
    name: f.name.trim(),
    templateId: f.templateId ? Number(f.templateId) : null,
    topicId: f.topicId ? Number(f.topicId) : null,
    audience: {
      segments: f.include.filter((v) => v.startsWith("s:")).map((v) => Number(v.slice(2))),
      topics: f.include.filter((v) => v.startsWith("t:")).map((v) => v.slice(2)),
      excludeSegments: f.exclude.map((v) => Number(v.slice(2))),
    },
    sender: { fromName: f.fromName.trim(), fromEmail: f.fromEmail.trim(), replyTo: f.replyTo.trim() },
    subject: f.subject.trim() || null,
    preheader: f.preheader.trim() || null,
    schedule: scheduleOf(f, zone),
    maxPerHour: f.throttle ? wholeNumber(f.maxPerHour) : null,
    abTest: ab,
  };
}

const audienceKey = (b: ReturnType<typeof toBody>) => JSON.stringify([b.audience, b.topicId]);

/** Which part of the form an issue path belongs to (for clearing and jumping). */
const SECTIONS: { prefix: string; section: string; label: string }[] = [
  { prefix: "name", section: "camp-content", label: "Name" },
  { prefix: "templateId", section: "camp-content", label: "Template" },
  { prefix: "topicId", section: "camp-audience", label: "Sending topic" },
  { prefix: "audience", section: "camp-audience", label: "Audience" },
  { prefix: "sender.fromName", section: "camp-sender", label: "From name" },
  { prefix: "sender.fromEmail", section: "camp-sender", label: "From email" },
  { prefix: "sender.replyTo", section: "camp-sender", label: "Reply-to" },
  { prefix: "subject", section: "camp-sender", label: "Subject" },
  { prefix: "preheader", section: "camp-sender", label: "Preheader" },
  { prefix: "abTest", section: "camp-ab", label: "A/B test" },
  { prefix: "schedule", section: "camp-schedule", label: "Schedule" },
  { prefix: "maxPerHour", section: "camp-schedule", label: "Throttle" },
];
const sectionOf = (path: string) => SECTIONS.find((s) => path === s.prefix || path.startsWith(`${s.prefix}.`));

/** What each form field change makes stale among the issues. */
const CLEARS: Partial<Record<keyof Form, string[]>> = {
  name: ["name"],
  templateId: ["templateId", "abTest.variants"],
  topicId: ["topicId", "audience"],
  include: ["audience"],
  exclude: ["audience"],
  fromName: ["sender.fromName"],
  fromEmail: ["sender.fromEmail"],
  replyTo: ["sender.replyTo"],
  subject: ["subject", "abTest.variants"],
  preheader: ["preheader"],
  when: ["schedule"],
  date: ["schedule"],
  time: ["schedule"],
  throttle: ["maxPerHour"],
  maxPerHour: ["maxPerHour"],
  ab: ["abTest", "schedule"],
  abMode: ["abTest"],
  variants: ["abTest.variants"],
  testShare: ["abTest.testShare"],
  metric: ["abTest.metric"],
  waitHours: ["abTest.waitHours"],
};

const templateCache = new Map<number, TemplateDetail>();

/** A template with its lint findings, cached for the session (and refreshed on each visit to the editor). */
function useTemplate(id: number | null) {
  return useAsync<TemplateDetail | null>(async () => {
    if (!id) return null;
    const t = await api.get<TemplateDetail>(`/templates/${id}`);
    templateCache.set(id, t);
    return t;
  }, [id]);
}

function tomorrow(zone: string) {
  return zonedParts(Date.now() + 86_400_000, zone).date;
}

export function CampaignEditor({ initial, onChanged }: { initial: Campaign; onChanged: (c: Campaign) => void }) {
  const conf = useStore(settings)!;
  const zone = conf.store.timezone || "UTC";
  const [campaign, setCampaign] = useState(initial);
  const [form, setForm] = useState(() => toForm(initial, zone));
  const body = toBody(form, zone);
  const key = JSON.stringify(body);
  const [savedKey, setSavedKey] = useState(() => JSON.stringify(toBody(toForm(initial, zone), zone)));
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  /** a body the server refused (400): not sent again until it changes */
  const [refused, setRefused] = useState<string | null>(null);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [banner, setBanner] = useState<string | null>(null);
  const [estimate, setEstimate] = useState<{ key: string; value: Estimate | null | undefined }>(() => ({ key: audienceKey(toBody(toForm(initial, zone), zone)), value: initial.estimate }));
  const [counting, setCounting] = useState(false);
  const estimateKey = useRef(estimate.key);
  estimateKey.current = estimate.key;
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [preparing, setPreparing] = useState(false);
  const chain = useRef<Promise<boolean>>(Promise.resolve(true));
  /** why the last save failed: the server refused the fields, or could not be reached */
  const failure = useRef<"invalid" | "error" | null>(null);
  const latest = useRef({ key, savedKey });
  latest.current = { key, savedKey };
  useTitle(form.name.trim() || campaign.name);

  const lookups = useAsync(async () => {
    const [templates, topics, segments] = await Promise.all([
      api.get<{ items: TemplateSummary[] }>("/templates").then((r) => r.items),
      api.get<{ items: Topic[] }>("/topics").then((r) => r.items),
      api.get<{ items: Segment[] }>("/segments").then((r) => r.items),
    ]);
    return { templates, topics, segments };
  }, []);
  const template = useTemplate(body.templateId);
  const tpl = template.data && template.data.id === body.templateId ? template.data : body.templateId ? (templateCache.get(body.templateId) ?? null) : null;

  const dirty = key !== savedKey;
  const nameMissing = !form.name.trim();
  const throttleBad = form.throttle && wholeNumber(form.maxPerHour) === null;
  const blocked = nameMissing || throttleBad;
  useLeaveGuard(dirty ? "Your latest changes to this campaign are not saved yet. Leave anyway?" : null);

  // ---- saving ---------------------------------------------------------------------------------------------
  /** Saves the form as it is now (after any save in flight); false when the server refused it. */
  const save = (): Promise<boolean> => {
    chain.current = chain.current.then(async () => {
      const { key: k, savedKey: s } = latest.current;
      if (k === s) return true;
      setSaving(true);
      try {
        const row = await api.patch<Campaign>(`/campaigns/${campaign.id}`, JSON.parse(k));
        setCampaign(row);
        setSavedKey(k);
        setSaveError(null);
        latest.current.savedKey = k;
        // Validation issues were about an older body; the ones from Schedule stay until their fields change.
        setIssues((list) => list.filter((i) => !i.path.startsWith("sender.") || i.path === "sender.fromEmail"));
        const aKey = audienceKey(JSON.parse(k));
        if (aKey !== estimateKey.current) void refreshEstimate(aKey);
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) {
          // Someone scheduled or sent it meanwhile: show what it is now.
          onChanged(await api.get<Campaign>(`/campaigns/${campaign.id}`));
          return false;
        }
        if (err instanceof ApiError && err.status === 400 && err.issues.length) {
          failure.current = "invalid";
          setIssues(err.issues);
          setRefused(k);
          setSaveError(null);
        } else {
          failure.current = "error";
          setSaveError(`Not saved: ${errorMessage(err)}`);
        }
        return false;
      } finally {
        setSaving(false);
      }
    });
    return chain.current;
  };

  const refreshEstimate = async (aKey: string) => {
    setCounting(true);
    try {
      const c = await api.get<Campaign>(`/campaigns/${campaign.id}`);
      setEstimate({ key: aKey, value: c.estimate });
    } catch (err) {
      setEstimate({ key: aKey, value: { error: errorMessage(err) } });
    }
    setCounting(false);
  };

  // Saves once the form has rested for 700 ms. Also when it comes back within that time to a value the debounce
  // already holds (a date picked, saved by Schedule, then "Send now" again): the debounced value never changes
  // then, so the key and the saved key are watched too.
  const debounced = useDebounced(key, 700);
  useEffect(() => {
    if (debounced === key && dirty && !blocked && key !== refused) void save();
  }, [debounced, key, savedKey]);

  const set = <K extends keyof Form>(k: K) => (v: Form[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    const stale = CLEARS[k] ?? [];
    setIssues((list) => list.filter((i) => !stale.some((p) => i.path === p || i.path.startsWith(`${p}.`))));
  };
  const err = (prefix: string, exact = false) => {
    const list = issues.filter((i) => i.path === prefix || (!exact && i.path.startsWith(`${prefix}.`)));
    return list.length ? list.map((i) => i.message).join("; ") : undefined;
  };

  // ---- scheduling -------------------------------------------------------------------------------------------
  const local: Issue[] = [];
  if (nameMissing) local.push({ path: "name", message: "Give the campaign a name" });
  if (throttleBad) local.push({ path: "maxPerHour", message: "Enter how many emails per hour, 1 or more" });
  if (form.when !== "now" && (!form.date || !form.time)) local.push({ path: "schedule", message: "Choose a date and a time" });
  // What is surely missing, said the way the server would: the server still checks everything when scheduling.
  const tplName = tpl?.name ?? "The template";
  if (!form.templateId) local.push({ path: "templateId", message: "Choose a template" });
  else for (const f of (tpl?.lint ?? []).filter((x) => x.level === "error" && x.code !== "sender")) local.push({ path: "templateId", message: `${tplName}: ${f.message}` });
  if (!form.topicId) local.push({ path: "topicId", message: "Choose the topic the campaign is sent under (consent and unsubscribe refer to it)" });
  if (!form.include.length) local.push({ path: "audience", message: "Choose at least one segment or topic" });
  if (!(form.fromEmail.trim() || tpl?.fromEmail || conf.sender.fromEmail)) local.push({ path: "sender.fromEmail", message: "No sender address: set one here, on the template or in Settings → General" });
  if (form.ab) {
    form.variants.forEach((v, i) => {
      if (i === 0) return;
      if (form.abMode === "subject" && !v.subject.trim()) local.push({ path: `abTest.variants.${i}.subject`, message: `Write variant ${v.key}'s subject line` });
      if (form.abMode === "template" && !v.templateId) local.push({ path: `abTest.variants.${i}.templateId`, message: `Choose variant ${v.key}'s template` });
    });
    if (form.when === "local") local.push({ path: "schedule", message: "An A/B test cannot be sent at each contact's local time; send it at one time" });
  }

  const jumpTo = (path: string) => {
    const s = sectionOf(path);
    const el = document.getElementById(s?.section ?? "camp-content");
    el?.scrollIntoView({ behavior: "smooth", block: "start" });
    el?.querySelector<HTMLElement>("[aria-invalid='true'], .has-error input, .has-error select, .has-error button")?.focus({ preventScroll: true });
  };

  const startSchedule = async () => {
    setBanner(null);
    if (local.length) {
      setIssues(local);
      setBanner("Some fields need attention before this campaign can go out.");
      jumpTo(local[0]!.path);
      return;
    }
    setPreparing(true);
    const ok = dirty ? await save() : true;
    setPreparing(false);
    if (!ok) {
      setBanner("The campaign could not be saved: see the highlighted fields.");
      if (failure.current === "error") toast("The campaign could not be saved; try again in a moment", "red");
      return;
    }
    setConfirming(true);
  };

  const schedule = async () => {
    const sched = scheduleOf(form, zone) ?? { kind: "now" as const };
    try {
      const row = await api.post<Campaign>(`/campaigns/${campaign.id}/schedule`, { schedule: sched });
      setSavedKey(key);
      toast(row.status === "scheduled" && sched.kind !== "now" ? `“${row.name}” is scheduled` : `“${row.name}” is on its way`);
      setConfirming(false);
      onChanged(row);
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) {
        setConfirming(false);
        setIssues(e.issues);
        setBanner(null);
        window.scrollTo({ top: 0, behavior: "smooth" });
        return;
      }
      throw e;
    }
  };

  // ---- lookups ----------------------------------------------------------------------------------------------
  const data = lookups.data;
  const marketing = (data?.topics ?? []).filter((t) => t.kind === "marketing");
  const topic = marketing.find((t) => String(t.id) === form.topicId) ?? null;
  const options: AudienceOption[] = [
    ...(data?.segments ?? []).map((s) => ({ value: segmentValue(s.id), label: s.name, sub: [sizeNote(s.size, "contacts at the last daily count"), s.description].filter(Boolean).join(" · "), size: sizeNote(s.size, "contacts"), group: "Segments" as const })),
    ...marketing.map((t) => ({ value: topicValue(t.key), label: t.name, sub: `Topic · ${plural(t.subscribers, "subscriber")}`, size: plural(t.subscribers, "subscriber"), group: "Topics" as const })),
  ];
  const segmentOptions = options.filter((o) => o.group === "Segments");
  const fromName = form.fromName.trim() || tpl?.fromName || conf.sender.fromName;
  const fromEmail = form.fromEmail.trim() || tpl?.fromEmail || conf.sender.fromEmail;
  const est = estimate.key === audienceKey(body) ? estimate.value : undefined;
  const recipients = est && "recipients" in est ? est.recipients : null;
  const lintErrors = (tpl?.lint ?? []).filter((f) => f.level === "error" && f.code !== "sender");
  const shown = [...issues];
  // Compliance-lint findings come back as "Template name: message" on the template (or the variants).
  const isLint = (i: Issue) => (i.path === "templateId" || i.path === "abTest.variants") && (data?.templates ?? []).some((t) => i.message.startsWith(`${t.name}: `));
  const templateIssues = shown.filter(isLint);
  const sched = scheduleOf(form, zone);
  const primaryLabel = form.when === "now" ? "Send now" : "Schedule";

  const saveState = saving ? "saving" : key === refused || saveError ? "error" : dirty ? "dirty" : "saved";
  const status = (
    <span class={cx("camp-save-state", saveState === "error" && "text-danger")} data-save={saveState} title={saveState === "saved" ? formatDateTime(campaign.updatedAt) : undefined}>
      {saveState === "saving" ? (
        <>
          <Spinner small /> Saving…
        </>
      ) : saveState === "error" ? (
        <>
          <Icon name="alert" size={14} /> {key === refused ? "Not saved: see the highlighted fields" : saveError}
        </>
      ) : saveState === "dirty" ? (
        blocked ? "Not saved: fix the highlighted field" : "Unsaved changes"
      ) : (
        <>
          <Icon name="check" size={14} /> Saved {formatRelative(campaign.updatedAt)}
        </>
      )}
    </span>
  );

  return (
    <div class="page">
      <PageHeader
        back={{ href: "/campaigns", label: "Campaigns" }}
        title={form.name.trim() || campaign.name}
        subtitle={
          <span class="editor-status">
            <Badge dot>Draft</Badge>
            {status}
          </span>
        }
        actions={
          <>
            <Button variant="danger" icon="trash" onClick={() => setDeleting(true)}>
              Delete
            </Button>
            <Button onClick={() => void save()} loading={saving && !preparing} disabled={!dirty || blocked}>
              Save draft
            </Button>
            <Button variant="primary" icon={form.when === "now" ? "send" : "clock"} onClick={startSchedule} loading={preparing}>
              {primaryLabel}
            </Button>
          </>
        }
      />

      {shown.length > 0 && (
        <div class="editor-alert" data-testid="campaign-issues">
          <Alert title={banner ?? "This campaign is not ready to send"}>
            <ul class="camp-issue-list">
              {shown.map((i, n) => (
                <li key={n}>
                  <button type="button" class="link-btn" onClick={() => jumpTo(i.path)}>
                    {issueLabel(i.path)}
                  </button>
                  : {i.message}
                </li>
              ))}
            </ul>
          </Alert>
        </div>
      )}

      <div class="camp-editor-grid">
        <div class="stack-lg camp-editor-main">
          <Card title="Content" subtitle="The email everyone receives (or variant A, when you test)." class="scroll-target">
            <div id="camp-content" class="stack">
              <TextField label="Campaign name" value={form.name} onValue={set("name")} error={err("name") ?? (nameMissing ? "Give the campaign a name" : undefined)} hint="Only you see it; recipients see the subject." maxLength={200} />
              <div class="camp-template-row">
                <SelectField
                  label="Template"
                  value={form.templateId}
                  onValue={set("templateId")}
                  error={issues.filter((i) => i.path === "templateId" && !isLint(i)).map((i) => i.message).join("; ") || undefined}
                  class="camp-grow"
                  options={[{ value: "", label: data ? (data.templates.length ? "Choose a template" : "No templates yet") : "Loading…" }, ...(data?.templates ?? []).map((t) => ({ value: String(t.id), label: t.name }))]}
                />
                {form.templateId ? (
                  <Link class="btn btn-secondary camp-template-open" href={`/templates/${form.templateId}`}>
                    <Icon name="edit" size={16} />
                    Open template
                  </Link>
                ) : (
                  <Link class="btn btn-secondary camp-template-open" href="/templates/new">
                    <Icon name="plus" size={16} />
                    New template
                  </Link>
                )}
              </div>
              {templateIssues.length > 0 && (
                <Alert title="Fix these in the template before sending" action={form.templateId ? <Link class="btn btn-secondary btn-sm" href={`/templates/${form.templateId}`}>Open template</Link> : undefined}>
                  <ul class="camp-issue-list" data-testid="lint-issues">
                    {templateIssues.map((i, n) => (
                      <li key={n}>{i.message}</li>
                    ))}
                  </ul>
                </Alert>
              )}
              {!templateIssues.length && lintErrors.length > 0 && (
                <Alert tone="amber" title="This template cannot be sent to subscribers yet">
                  <ul class="camp-issue-list" data-testid="lint-issues">
                    {lintErrors.map((f) => (
                      <li key={f.code}>{f.message}</li>
                    ))}
                  </ul>
                </Alert>
              )}
              {body.templateId ? <EmailPreview templateId={body.templateId} variant={form.ab && form.abMode === "subject" ? "A" : null} subject={(form.ab && form.abMode === "subject" && form.variants[0]?.subject.trim()) || body.subject} preheader={(form.ab && form.abMode === "subject" && form.variants[0]?.preheader.trim()) || body.preheader} fromName={fromName} fromEmail={fromEmail} template={tpl} /> : <p class="muted small">Choose a template to see how the email appears in the inbox.</p>}
            </div>
          </Card>

          <Card title="Audience" subtitle="Who receives it: anyone in any of the segments or topics below, minus the exclusions, who is subscribed to the sending topic." class="scroll-target">
            <div id="camp-audience" class="stack">
              <SelectField
                label="Sending topic"
                value={form.topicId}
                onValue={set("topicId")}
                error={err("topicId")}
                hint={
                  marketing.length || !data ? (
                    "The consent the campaign relies on: only contacts subscribed to this topic receive it, and its unsubscribe link unsubscribes them from this topic."
                  ) : (
                    <>
                      There are no marketing topics yet. <Link href="/settings/topics">Create one in Settings → Topics</Link>.
                    </>
                  )
                }
                options={[{ value: "", label: data ? "Choose a topic" : "Loading…" }, ...marketing.map((t) => ({ value: String(t.id), label: `${t.name} · ${plural(t.subscribers, "subscriber")}` }))]}
              />
              <AudienceField label="Send to" addLabel="Add segment or topic" options={options} value={form.include} onValue={set("include")} error={err("audience", false)} testId="audience-include" hint="Contacts in any of these. Segments update themselves: the audience is counted again when the campaign starts." />
              <AudienceField label="Don't send to" addLabel="Exclude a segment" options={segmentOptions} value={form.exclude} onValue={set("exclude")} testId="audience-exclude" tone="exclude" hint="Contacts in any of these are left out, even when they are in the audience above." />
              <EstimateBar estimate={est} counting={counting || saving || (dirty && audienceKey(body) !== estimate.key)} blocked={blocked} topic={topic?.name ?? null} empty={form.include.length === 0} />
            </div>
          </Card>

          <Card title="Sender and subject" subtitle="Leave a field empty to use the template's value (or your default sender from Settings)." class="scroll-target">
            <div id="camp-sender" class="stack">
              <div class="grid-2">
                <TextField label="From name" value={form.fromName} onValue={set("fromName")} placeholder={tpl?.fromName || conf.sender.fromName || "Your store"} error={err("sender.fromName")} maxLength={100} />
                <TextField label="From email" type="email" value={form.fromEmail} onValue={set("fromEmail")} placeholder={tpl?.fromEmail || conf.sender.fromEmail || "hello@yourstore.com"} error={err("sender.fromEmail")} maxLength={254} />
                <TextField label="Reply-to" aside="Optional" type="email" value={form.replyTo} onValue={set("replyTo")} placeholder={tpl?.replyTo || conf.sender.replyTo || "Same as the from address"} error={err("sender.replyTo")} maxLength={254} />
                <span class="camp-grid-gap" />
                <TextField label="Subject" value={form.subject} onValue={set("subject")} placeholder={tpl?.subject || "The template's subject"} error={err("subject")} hint={form.ab && form.abMode === "subject" ? "With a subject test, each variant's subject replaces this one." : "Liquid works here, e.g. {{ contact.first_name }}."} maxLength={500} />
                <TextField label="Preheader" aside="Optional" value={form.preheader} onValue={set("preheader")} placeholder={tpl?.preheader || "The preview text after the subject"} error={err("preheader")} maxLength={500} />
              </div>
            </div>
          </Card>

          <AbCard form={form} set={set} err={err} general={issues.filter((i) => (i.path === "abTest.variants" || i.path === "abTest") && !isLint(i)).map((i) => i.message).join("; ") || undefined} templates={data?.templates ?? []} recipients={recipients} fallbackSubject={form.subject.trim() || tpl?.subject || ""} />

          <ScheduleCard form={form} set={set} err={err} zone={zone} recipients={recipients} schedule={sched} />
        </div>

        <aside class="camp-editor-side">
          <Summary
            recipients={recipients}
            estimate={est}
            items={[
              { label: "Template", ok: Boolean(form.templateId) && !lintErrors.length, value: tpl?.name ?? (form.templateId ? "…" : "Not chosen"), warn: lintErrors.length ? `${plural(lintErrors.length, "problem")} to fix` : undefined },
              { label: "Sending topic", ok: Boolean(topic), value: topic?.name ?? "Not chosen" },
              { label: "Audience", ok: form.include.length > 0, value: form.include.length ? `${plural(form.include.length, "segment or topic", "segments or topics")}${form.exclude.length ? `, ${form.exclude.length} excluded` : ""}` : "Nobody yet" },
              { label: "From", ok: Boolean(fromEmail), value: fromEmail ? (fromName ? `${fromName} <${fromEmail}>` : fromEmail) : "No sender address" },
              { label: "When", ok: form.when === "now" || Boolean(sched), value: form.when === "now" ? "Right after you confirm" : sched ? scheduleText(sched, zone) : "Choose a date and time" },
              ...(form.ab ? [{ label: "A/B test", ok: form.when !== "local", value: form.when === "local" ? "Not possible at local times" : `${form.variants.length} variants on ${Math.floor(form.testShare / form.variants.length) * form.variants.length}%, by ${form.metric}` }] : []),
            ]}
          />
        </aside>
      </div>

      {confirming && (
        <ConfirmDialog
          title={form.when === "now" ? `Send “${form.name.trim()}” now?` : `Schedule “${form.name.trim()}”?`}
          confirmLabel={form.when === "now" ? "Send now" : "Schedule campaign"}
          danger={false}
          onClose={() => setConfirming(false)}
          onConfirm={schedule}
        >
          <DefinitionList
            items={[
              ["Recipients", recipients !== null ? `About ${plural(recipients, "contact")} (counted again when it starts)` : "Counted when it starts"],
              ["When", form.when === "now" ? "Now" : scheduleText(sched, zone)],
              ["From", fromEmail ? (fromName ? `${fromName} <${fromEmail}>` : fromEmail) : "—"],
              ["Subject", form.ab && form.abMode === "subject" ? `${form.variants.length} variants` : form.subject.trim() || tpl?.subject || "—"],
              ...(form.throttle && wholeNumber(form.maxPerHour) ? ([["Speed", `At most ${formatNumber(wholeNumber(form.maxPerHour)!)} emails per hour`]] as [string, string][]) : []),
            ]}
          />
          {form.ab && <p class="camp-ab-sentence">{abSentence({ ...form, variants: form.variants }, recipients)}</p>}
          <p class="muted small">Unsubscribed, bounced and suppressed contacts are skipped, and frequency caps apply. You can pause or cancel while it sends.</p>
        </ConfirmDialog>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete “${campaign.name}”?`}
          confirmLabel="Delete draft"
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await api.del(`/campaigns/${campaign.id}`);
            setSavedKey(key);
            toast(`Draft “${campaign.name}” deleted`);
            setDeleting(false);
            navigate("/campaigns", { force: true });
          }}
        >
          <p>The draft and its settings go. Templates, segments and topics stay as they are. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function issueLabel(path: string): string {
  const v = /^abTest\.variants\.(\d+)\.(\w+)/.exec(path);
  if (v) return `Variant ${VARIANT_KEYS[Number(v[1])] ?? Number(v[1]) + 1} ${v[2] === "templateId" ? "template" : v[2]}`;
  return sectionOf(path)?.label ?? (path || "Campaign");
}

// ---- content ------------------------------------------------------------------------------------------------

/** The inbox line as recipients see it (Liquid rendered for a sample contact), and the email on demand. */
function EmailPreview({ templateId, variant, subject, preheader, fromName, fromEmail, template }: { templateId: number; variant: string | null; subject: string | null; preheader: string | null; fromName: string; fromEmail: string; template: TemplateDetail | null }) {
  const [open, setOpen] = useState(false);
  const req = useDebounced(JSON.stringify({ templateId, template: { ...(subject ? { subject } : {}), ...(preheader ? { preheader } : {}) } }), 400);
  const rendered = useAsync(async () => {
    const { templateId: id, template: t } = JSON.parse(req) as { templateId: number; template: Record<string, string> };
    return api.post<RenderedEmail>(`/templates/${id}/preview`, { template: t });
  }, [req]);
  const email = rendered.data;
  const failed = rendered.error ? ((rendered.error as ApiError).issues?.[0]?.message ?? errorMessage(rendered.error)) : null;
  return (
    <div class="camp-preview" data-testid="campaign-preview">
      <div class="camp-preview-head">
        <span class="mini-stat-label">In the inbox{variant ? `, variant ${variant}` : ""}</span>
        <span class="muted small">{template ? `for a sample contact · updated ${formatRelative(template.updatedAt)}` : ""}</span>
      </div>
      <div class={cx("camp-inbox", rendered.loading && "is-refreshing")}>
        <InboxLine fromName={fromName} fromEmail={fromEmail} subject={email?.subject ?? (failed ? "" : template?.subject ?? "")} preheader={email?.preheader ?? ""} />
      </div>
      {failed && <p class="field-error">{failed}</p>}
      <button type="button" class="link-btn camp-preview-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        <Icon name={open ? "chevronDown" : "chevronRight"} size={15} />
        {open ? "Hide the email" : "Show the email"}
      </button>
      {open && email && <iframe class="camp-email-frame" title="Email preview" srcdoc={email.html} sandbox="" referrerpolicy="no-referrer" />}
    </div>
  );
}

function EstimateBar({ estimate, counting, blocked, topic, empty }: { estimate: Estimate | null | undefined; counting: boolean; blocked: boolean; topic: string | null; empty: boolean }) {
  let figure: ComponentChildren = "—";
  let note: ComponentChildren = null;
  if (estimate && "recipients" in estimate) {
    figure = formatNumber(estimate.recipients);
    note =
      estimate.withoutConsent > 0 ? (
        <span class="camp-estimate-warn" data-testid="without-consent">
          <Icon name="info" size={14} />
          {plural(estimate.withoutConsent, "more contact is", "more contacts are")} in this audience but not subscribed to {topic ?? "the sending topic"}: they will not receive it.
        </span>
      ) : topic && !empty ? (
        <span class="muted">Everyone in this audience is subscribed to {topic}.</span>
      ) : null;
  } else if (estimate && "error" in estimate) note = <span class="text-danger">{estimate.error}</span>;
  const state = blocked ? (
    <span class="countbar-state is-warn">
      <Icon name="info" size={15} />
      Counted once the changes are saved
    </span>
  ) : counting || estimate === undefined ? (
    <span class="countbar-state">
      <Spinner small />
      Counting…
    </span>
  ) : (
    <span class="countbar-state is-live">
      <span class="live-dot" />
      Live estimate
    </span>
  );
  return (
    <div class={cx("camp-estimate", (counting || blocked) && "is-stale")} data-testid="campaign-estimate" role="status" aria-live="polite">
      <div class="camp-estimate-main">
        <span class="countbar-icon">
          <Icon name="contacts" size={18} />
        </span>
        <div class="countbar-figure">
          <strong data-testid="campaign-estimate-value">{figure}</strong>
          <span>{estimate && "recipients" in estimate && estimate.recipients === 1 ? "recipient" : "recipients"}</span>
        </div>
        <span class="camp-estimate-state">{state}</span>
      </div>
      {empty ? <p class="muted small">Add a segment or topic to count the audience.</p> : note && <p class="small">{note}</p>}
    </div>
  );
}

// ---- A/B test -----------------------------------------------------------------------------------------------

type Setter = <K extends keyof Form>(k: K) => (v: Form[K]) => void;
type ErrFn = (prefix: string, exact?: boolean) => string | undefined;

function AbCard({ form, set, err, general, templates, recipients, fallbackSubject }: { form: Form; set: Setter; err: ErrFn; general: string | undefined; templates: TemplateSummary[]; recipients: number | null; fallbackSubject: string }) {
  const enable = (on: boolean) => {
    set("ab")(on);
    if (on && form.variants.length < 2) set("variants")([{ key: "A", subject: fallbackSubject, preheader: "", templateId: "" }, { key: "B", subject: "", preheader: "", templateId: "" }]);
  };
  const setVariant = (i: number, patch: Partial<VariantForm>) => set("variants")(form.variants.map((v, j) => (j === i ? { ...v, ...patch } : v)));
  const add = () => {
    const key = VARIANT_KEYS.find((k) => !form.variants.some((v) => v.key === k))!;
    set("variants")([...form.variants, { key, subject: "", preheader: "", templateId: "" }]);
    if (form.testShare < form.variants.length + 1) set("testShare")(form.variants.length + 1);
  };
  const remove = (i: number) => set("variants")(form.variants.filter((_, j) => j !== i));
  const minShare = Math.max(2, form.variants.length);
  const waits = WAITS.includes(form.waitHours) ? WAITS : [...WAITS, form.waitHours].sort((a, b) => a - b);
  return (
    <Card title="A/B test" subtitle="Send variants to part of the audience, then the best one to everyone else." class="scroll-target">
      <div id="camp-ab" class="stack">
        <Checkbox label="Test variants before sending to everyone" hint="Compare 2–4 subject lines or templates on a share of the audience; Tern picks the winner after a wait." checked={form.ab} onChange={enable} />
        {form.ab && (
          <>
            <div class="field">
              <span class="field-label">What to test</span>
              <Segmented
                label="What to test"
                value={form.abMode}
                onValue={(v) => set("abMode")(v as Form["abMode"])}
                options={[
                  { value: "subject", label: "Subject line" },
                  { value: "template", label: "Template" },
                ]}
              />
            </div>
            {general && <Alert>{general}</Alert>}
            <ol class="camp-variants" data-testid="ab-variants">
              {form.variants.map((v, i) => (
                <li key={v.key} class={cx("camp-variant", err(`abTest.variants.${i}`) && "has-error")}>
                  <span class="camp-variant-key" aria-label={`Variant ${v.key}`}>
                    {v.key}
                  </span>
                  <div class="camp-variant-fields">
                    {form.abMode === "subject" ? (
                      <>
                        <TextField label={`Subject ${v.key}`} value={v.subject} onValue={(subject) => setVariant(i, { subject })} placeholder={i === 0 ? fallbackSubject || "The campaign's subject" : "Another subject line"} error={err(`abTest.variants.${i}.subject`)} maxLength={500} />
                        <TextField label={`Preheader ${v.key}`} aside="Optional" value={v.preheader} onValue={(preheader) => setVariant(i, { preheader })} placeholder="The campaign's preheader" error={err(`abTest.variants.${i}.preheader`)} maxLength={500} />
                      </>
                    ) : i === 0 ? (
                      <div class="field">
                        <span class="field-label">Template {v.key}</span>
                        <p class="camp-variant-note">{templates.find((t) => String(t.id) === form.templateId)?.name ?? "The campaign's template"} (chosen under Content)</p>
                      </div>
                    ) : (
                      <SelectField
                        label={`Template ${v.key}`}
                        value={v.templateId}
                        onValue={(templateId) => setVariant(i, { templateId })}
                        error={err(`abTest.variants.${i}.templateId`)}
                        options={[{ value: "", label: "Choose a template" }, ...templates.filter((t) => String(t.id) !== form.templateId).map((t) => ({ value: String(t.id), label: t.name }))]}
                      />
                    )}
                  </div>
                  {form.variants.length > 2 && i > 0 && (
                    <button type="button" class="icon-btn camp-variant-remove" aria-label={`Remove variant ${v.key}`} title="Remove variant" onClick={() => remove(i)}>
                      <Icon name="trash" size={16} />
                    </button>
                  )}
                </li>
              ))}
            </ol>
            {form.variants.length < 4 && (
              <div>
                <Button size="sm" icon="plus" onClick={add}>
                  Add variant {VARIANT_KEYS.find((k) => !form.variants.some((v) => v.key === k))}
                </Button>
              </div>
            )}
            <div class="camp-ab-settings">
              <div class={cx("field", err("abTest.testShare") && "has-error")}>
                <div class="field-label-row">
                  <label class="field-label" for="camp-share">
                    Test share
                  </label>
                  <span class="camp-share-value" data-testid="test-share">
                    {Math.floor(form.testShare / form.variants.length) * form.variants.length}% in the test · {Math.floor(form.testShare / form.variants.length)}% per variant
                  </span>
                </div>
                <input id="camp-share" class="camp-range" type="range" min={minShare} max={100} step={1} value={form.testShare} onInput={(e) => set("testShare")(Number(e.currentTarget.value))} aria-valuetext={`${form.testShare}% of the audience`} />
                {err("abTest.testShare") ? (
                  <p class="field-error">{err("abTest.testShare")}</p>
                ) : (
                  <p class="field-hint">The rest of the audience waits for the winner.{form.testShare % form.variants.length ? " Each variant gets a whole percent, so the share is rounded down." : ""}</p>
                )}
              </div>
              <div class="field">
                <span class="field-label">Winner by</span>
                <Segmented
                  label="Winning metric"
                  value={form.metric}
                  onValue={(m) => set("metric")(m as Metric)}
                  options={[
                    { value: "opens", label: "Opens" },
                    { value: "clicks", label: "Clicks" },
                    { value: "revenue", label: "Revenue" },
                  ]}
                />
                <p class="field-hint">{form.metric === "opens" ? "People who opened; machine opens (Apple Mail, scanners) are left out." : form.metric === "clicks" ? "People who clicked; link-scanner clicks are left out." : "Orders attributed to each variant, per recipient."}</p>
              </div>
              <SelectField label="Wait before choosing" value={String(form.waitHours)} onValue={(v) => set("waitHours")(Number(v))} error={err("abTest.waitHours")} options={waits.map((h) => ({ value: String(h), label: hoursText(h) }))} />
            </div>
            <p class="camp-ab-sentence" data-testid="ab-sentence">
              <Icon name="info" size={16} />
              <span>{abSentence({ ...form, variants: form.variants }, recipients)}</span>
            </p>
          </>
        )}
      </div>
    </Card>
  );
}

// ---- schedule -----------------------------------------------------------------------------------------------

function ScheduleCard({ form, set, err, zone, recipients, schedule }: { form: Form; set: Setter; err: ErrFn; zone: string; recipients: number | null; schedule: Schedule | null }) {
  const mine = browserZone();
  const pick = (when: string) => {
    set("when")(when as Form["when"]);
    if (when !== "now" && !form.date) {
      set("date")(tomorrow(when === "at" ? zone : mine));
      set("time")("09:00");
    }
  };
  const at = schedule?.kind === "at" ? schedule.at : null;
  const perHour = form.throttle ? wholeNumber(form.maxPerHour) : null;
  const scheduleError = err("schedule");
  return (
    <Card title="Schedule" subtitle="When it goes out, and how fast." class="scroll-target">
      <div id="camp-schedule" class="stack">
        <Segmented
          label="When to send"
          value={form.when}
          onValue={pick}
          options={[
            { value: "now", label: "Send now" },
            { value: "at", label: "At a date and time" },
            { value: "local", label: "At each contact's local time" },
          ]}
        />
        {form.when === "now" && <p class="muted">Sending starts as soon as you confirm.</p>}
        {form.when !== "now" && (
          <div class={cx("camp-when", scheduleError && "has-error")}>
            <div class="camp-when-fields">
              <div class="field">
                <label class="field-label" for="camp-date">
                  Date
                </label>
                <input id="camp-date" class="input" type="date" value={form.date} onInput={(e) => set("date")(e.currentTarget.value)} aria-invalid={scheduleError ? "true" : undefined} />
              </div>
              <div class="field">
                <label class="field-label" for="camp-time">
                  Time {form.when === "at" ? `(${zone})` : "(contact's own)"}
                </label>
                <input id="camp-time" class="input" type="time" value={form.time} onInput={(e) => set("time")(e.currentTarget.value)} aria-invalid={scheduleError ? "true" : undefined} />
              </div>
            </div>
            {scheduleError && (
              <p class="field-error" role="alert">
                {scheduleError}
              </p>
            )}
            {form.when === "at" ? (
              <p class="camp-zone-note" data-testid="schedule-note">
                <Icon name="globe" size={15} />
                <span>
                  In your store's time zone, <strong>{zone}</strong>
                  {at ? ` (${zoneAbbrev(at, zone)})` : ""}.{at && mine !== zone ? ` That is ${formatInZone(at, mine)} where you are (${mine}).` : ""}{" "}
                  <Link href="/settings/general">Change the store time zone</Link>
                </span>
              </p>
            ) : (
              <p class="camp-zone-note" data-testid="schedule-note">
                <Icon name="globe" size={15} />
                <span>
                  Each contact gets it at {form.time || "this time"} in their own time zone; contacts without one get it at {form.time || "this time"} {zone} time. Sending starts when that time first arrives somewhere, up to a day before it does in {zone}.
                </span>
              </p>
            )}
            {form.when === "local" && form.ab && <Alert tone="amber">An A/B test goes out at one time for everyone: choose “At a date and time” or “Send now”, or turn the test off.</Alert>}
          </div>
        )}
        <div class="camp-throttle">
          <Checkbox label="Limit the sending speed" hint="Spread the send over time, e.g. to warm up a new sending domain or keep site traffic steady." checked={form.throttle} onChange={set("throttle")} />
          {form.throttle && (
            <div class="indent stack">
              <TextField label="Emails per hour" type="number" min={1} step={1} inputMode="numeric" value={form.maxPerHour} onValue={set("maxPerHour")} error={err("maxPerHour") ?? (perHour === null ? "Enter how many emails per hour, 1 or more" : undefined)} class="camp-throttle-field" placeholder="1000" />
              {perHour && recipients ? <p class="muted small">{formatNumber(recipients)} recipients at {formatNumber(perHour)} an hour take about {hoursText(Math.max(recipients / perHour, 1 / 60))}.</p> : null}
            </div>
          )}
        </div>
      </div>
    </Card>
  );
}

// ---- summary ------------------------------------------------------------------------------------------------

function Summary({ recipients, estimate, items }: { recipients: number | null; estimate: Estimate | null | undefined; items: { label: string; ok: boolean; value: string; warn?: string }[] }) {
  const ready = items.every((i) => i.ok);
  return (
    <section class="card camp-summary" aria-label="Summary">
      <div class="camp-summary-head">
        <span class="mini-stat-label">Recipients</span>
        <strong class="camp-summary-figure" data-testid="summary-recipients">
          {recipients !== null ? formatNumber(recipients) : estimate === undefined ? <Spinner small /> : "—"}
        </strong>
        <span class="muted small">estimated now; counted again when it starts</span>
      </div>
      <ul class="camp-checklist">
        {items.map((i) => (
          <li key={i.label} class={i.ok ? "is-ok" : "is-missing"}>
            <span class="camp-check-mark">{i.ok ? <Icon name="check" size={13} /> : <Icon name="alert" size={13} />}</span>
            <span class="camp-check-text">
              <span class="camp-check-label">{i.label}</span>
              <span class="camp-check-value" title={i.value}>
                {i.value}
              </span>
              {i.warn && <span class="camp-check-warn">{i.warn}</span>}
            </span>
          </li>
        ))}
      </ul>
      <p class={cx("camp-summary-foot", ready && "is-ready")}>{ready ? "Everything is in place. Schedule checks it all again." : "Complete the marked items to send."}</p>
    </section>
  );
}

