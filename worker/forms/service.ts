/**
 * What a signup does: the contact is created or completed, each chosen topic becomes subscribed at once or
 * pending (double opt-in) with the full consent record, events are recorded for flows, and a confirmation email
 * goes out as a transactional send. The answer to the visitor never depends on what was already stored, so the
 * form cannot be used to find out who is on the list.
 */
import { mapTraits } from "../core/contact";
import { CONFIRM_RESEND_MS, CONFIRM_TTL_MS, consentVersion, type FormDefinition, type Submission } from "../core/forms";
import { signToken } from "../core/tokens";
import { enqueueSends } from "../delivery/enqueue";
import { linkKey } from "../delivery/links";
import type { Env } from "../env";
import type { ContactEvent } from "../store/events";
import { createTemplate, getTemplate } from "../store/templates";
import { subscriptionStatements, topicsByKey, type Consent } from "../store/topics";
import { runBatch } from "../store/db";
import {
  eventStatements, pendingStatement, recentConfirmation, setConfirmationTemplate, subscriptionStatuses, upsertFormContact, type FormRow,
} from "./store";

/** None of the topics the form offers exists any more. */
export class FormUnavailableError extends Error {}

export interface SubmitContext {
  ip: string | null;
  userAgent: string | null;
  /** the Tern origin the confirmation link points to */
  base: string;
  now: number;
}

export interface SubmitResult {
  /** events to hand to flows after the response */
  events: ContactEvent[];
  /** whether a confirmation email was queued (internal: never shown to the visitor) */
  confirmationQueued: boolean;
}

/** Whether the chosen topics ask for confirmation: decides the default success message (not per contact). */
export async function chosenTopicsNeedConfirmation(d1: D1Database, keys: string[]): Promise<boolean> {
  return [...(await topicsByKey(d1, keys)).values()].some((t) => t.doubleOptIn);
}

export async function submit(env: Env, form: FormRow & { definition: FormDefinition }, sub: Submission, ctx: SubmitContext): Promise<SubmitResult> {
  const d1 = env.DB;
  const { now } = ctx;
  const topics = [...(await topicsByKey(d1, sub.topics)).values()];
  if (!topics.length) throw new FormUnavailableError("This form has no topics to subscribe to any more");

  const { fields, properties } = mapTraits({ ...sub.traits, email: sub.email });
  const { email: _email, ...columns } = fields;
  const contact = await upsertFormContact(d1, sub.email, columns, properties, now);
  const statuses = await subscriptionStatuses(d1, contact.id, topics.map((t) => t.id));

  const def = form.definition;
  const consent: Consent = {
    source: "form", formId: form.id, ip: ctx.ip, userAgent: ctx.userAgent, pageUrl: sub.pageUrl,
    consentText: def.consentText, consentVersion: await consentVersion(def.consentText),
  };
  // Someone who unsubscribed from everything is only brought back by their own confirmed click, even for topics
  // that do not ask for confirmation: anyone can type their address into a form.
  const mustConfirm = contact.status === "unsubscribed";
  const statements: D1PreparedStatement[] = [];
  const events: ContactEvent[] = [
    { contactId: contact.id, name: "Form Submitted", properties: { form_id: form.id, form_name: form.name, topics: topics.map((t) => t.key), page_url: sub.pageUrl }, occurredAt: now },
  ];
  const pending: string[] = [];
  for (const topic of topics) {
    const current = statuses.get(topic.id);
    if (current === "subscribed") continue;
    if (topic.doubleOptIn || mustConfirm) {
      statements.push(pendingStatement(d1, contact.id, topic.id, consent, now));
      pending.push(topic.name);
    } else {
      statements.push(...subscriptionStatements(d1, contact.id, [{ topicId: topic.id, status: "subscribed" }], consent, now));
      events.push({ contactId: contact.id, name: "Subscribed", properties: { topic: topic.key, source: "form", form_id: form.id }, occurredAt: now });
    }
  }
  await runBatch(d1, [...statements, ...eventStatements(d1, events, now)]);

  const confirmationQueued = pending.length > 0 && (await sendConfirmation(env, form, contact.id, pending, ctx));
  return { events, confirmationQueued };
}

/** Queues the confirmation email, at most one per contact per ~10 minutes whatever the number of submissions. */
async function sendConfirmation(env: Env, form: FormRow & { definition: FormDefinition }, contactId: number, topicNames: string[], ctx: SubmitContext): Promise<boolean> {
  if (await recentConfirmation(env.DB, contactId, ctx.now, CONFIRM_RESEND_MS)) return false;
  const [templateId, key] = await Promise.all([confirmationTemplate(env.DB, form, ctx.now), linkKey(env)]);
  const token = await signToken(key, { k: "f", c: contactId, t: form.id, x: ctx.now + CONFIRM_TTL_MS });
  const ids = await enqueueSends(
    env,
    [
      {
        // one per contact and 10-minute window: two racing submissions still make a single email
        idempotencyKey: `form-confirm:${contactId}:${Math.floor(ctx.now / CONFIRM_RESEND_MS)}`,
        contactId,
        templateId,
        kind: "transactional",
        data: { confirm_url: `${ctx.base}/forms/confirm/${token}`, form_id: form.id, form_name: form.name, topics: listOf(topicNames), topic_names: topicNames },
        // the confirmation link must reach /forms/confirm as it is, and nobody needs an open pixel here
        trackOpens: false,
        trackClicks: false,
      },
    ],
    ctx.now,
  );
  return ids.length > 0;
}

/** "A", "A and B", "A, B and C". */
export const listOf = (names: string[]) => (names.length < 2 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`);

export const DEFAULT_CONFIRMATION = {
  name: "Confirm your subscription",
  subject: "Please confirm your subscription to {{ store.name }}",
  preheader: "One click and you are on the list.",
  html: `<h1 style="font-size:22px;margin:0 0 16px">Confirm your subscription</h1>
<p>Hi {{ contact.first_name | default: "there" }},</p>
<p>Please confirm that you would like to receive {{ event.topics }} from {{ store.name }}.</p>
<p style="margin:24px 0"><a href="{{ event.confirm_url }}" style="display:inline-block;background:{{ store.brand_color }};color:#ffffff;text-decoration:none;font-weight:600;padding:12px 22px;border-radius:8px">Yes, subscribe me</a></p>
<p style="font-size:14px;color:#6b7280">Or paste this link into your browser:<br><span style="word-break:break-all">{{ event.confirm_url }}</span></p>
<p style="font-size:14px;color:#6b7280">If you did not ask for this, ignore this email: you will not be subscribed. The link works for 7 days.</p>`,
  text: `Hi {{ contact.first_name | default: "there" }},

Please confirm that you would like to receive {{ event.topics }} from {{ store.name }}:

{{ event.confirm_url }}

If you did not ask for this, ignore this email: you will not be subscribed. The link works for 7 days.`,
};

/** The form's confirmation template, created from the default on first use (or when the chosen one was deleted). */
async function confirmationTemplate(d1: D1Database, form: FormRow & { definition: FormDefinition }, now: number): Promise<number> {
  const chosen = form.definition.confirmation.templateId;
  if (chosen && (await getTemplate(d1, chosen))) return chosen;
  const t = await createTemplate(
    d1,
    { ...DEFAULT_CONFIRMATION, fromName: null, fromEmail: null, replyTo: null, layout: "default" },
    now,
  );
  await setConfirmationTemplate(d1, form.id, t.id, chosen);
  return t.id;
}
