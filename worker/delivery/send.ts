/**
 * The send queue consumer. Per batch: load messages, contacts, templates and consent in two D1 round trips,
 * re-check suppression, contact status, topic subscription, frequency cap and quiet hours at send time,
 * claim, render, build MIME, hand to the provider at its rate, and record every outcome in one more round trip.
 */
import { withCampaignContent } from "../campaigns/content";
import { jsonObject } from "../core/json";
import { buildMessage, rewriteLinks, withPixel } from "../core/message";
import { backoffSeconds, quietDelaySeconds } from "../core/sending";
import type { Settings } from "../core/settings";
import { renderEmail, RenderError, type TemplateSource } from "../core/template";
import type { Env } from "../env";
import { claim, loadForSend, recordOutcomes, type MessageForSend, type Outcome } from "../store/messages";
import { getSettings } from "../store/settings";
import { suppressionReasons } from "../store/suppressions";
import { templatesById, type TemplateRow } from "../store/templates";
import { simulateRecipients, type SentForDemo } from "./demo-recipients";
import { linkKey, messageLinks } from "./links";
import { contactModel, publicBase, renderModel } from "./model";
import { createProvider, providerName } from "./providers/index";
import type { OutgoingEmail, Provider, SendResult } from "./providers/types";

export interface SendJob {
  id: string;
}

export interface SendOptions {
  /** a provider to use instead of the configured one (tests inject faulty ones) */
  provider?: Provider;
  now?: () => number;
  random?: () => number;
}

const DAY = 86_400_000;
/** Provider requests in flight at once within a batch. */
const PARALLEL_SENDS = 6;
const FINAL = new Set(["sent", "delivered", "bounced", "complained", "failed", "suppressed", "cancelled"]);

export async function handleSendBatch(batch: MessageBatch<SendJob>, env: Env, opts: SendOptions = {}): Promise<void> {
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const settings = await getSettings(env.DB);
  const s = settings.sending;

  // Several queue deliveries of the same id are one send; every delivery is acked or retried together.
  const deliveries = new Map<string, Message<SendJob>[]>();
  for (const m of batch.messages) {
    const id = typeof m.body?.id === "string" ? m.body.id : null;
    if (!id) {
      m.ack(); // not a send job: nothing can ever make it one
      continue;
    }
    deliveries.set(id, [...(deliveries.get(id) ?? []), m]);
  }
  const ack = (id: string) => deliveries.get(id)?.forEach((m) => m.ack());
  const retry = (id: string, delaySeconds: number) => deliveries.get(id)?.forEach((m) => m.retry({ delaySeconds }));

  const rows = await loadForSend(env.DB, [...deliveries.keys()], now() - s.frequencyDays * DAY);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const outcomes: Outcome[] = [];
  const eligible: MessageForSend[] = [];
  for (const id of deliveries.keys()) {
    const m = byId.get(id);
    if (!m || FINAL.has(m.status)) ack(id);
    else if (m.campaignStatus === "cancelled") {
      outcomes.push({ id, status: "cancelled", error: "the campaign was cancelled" });
      ack(id);
    } else if (m.campaignStatus === "paused") ack(id); // stays queued; resuming the campaign enqueues it again
    else if (m.status === "sending" && m.claimedAt && now() - m.claimedAt < 10 * 60_000) retry(id, 120); // another consumer has it
    else eligible.push(m);
  }

  // Round trip 2: suppressions for the addresses, and the templates.
  const addressOf = (m: MessageForSend) => (m.toEmail ?? m.email)?.toLowerCase() ?? null;
  const [suppressed, templates] = await Promise.all([
    suppressionReasons(env.DB, eligible.flatMap((m) => addressOf(m) ?? [])),
    templatesById(env.DB, [...new Set(eligible.map((m) => m.templateId))]),
  ]);
  // Someone who only unsubscribed (a manual "unsubscribed" entry) still gets receipts.
  const blockedBy = (m: MessageForSend, address: string) => {
    const reason = suppressed.get(address);
    return reason && !(m.kind === "transactional" && reason === "unsubscribed") ? reason : null;
  };

  const toClaim: MessageForSend[] = [];
  for (const m of eligible) {
    const address = addressOf(m);
    const reason = !address
      ? "the contact has no email address (erased?)"
      : blockedBy(m, address)
        ? `the address is suppressed (${blockedBy(m, address)})`
        : m.kind === "marketing"
          ? marketingBlock(m, s, now())
          : null;
    if (reason) {
      outcomes.push({ id: m.id, status: m.contactId === null && !m.toEmail ? "cancelled" : "suppressed", error: reason });
      ack(m.id);
      continue;
    }
    const hold = m.kind === "marketing" && s.quietHours ? quietDelaySeconds(now(), m.timezone || settings.store.timezone, s.quietStart, s.quietEnd) : 0;
    if (hold > 0) {
      // Deferred, not dropped: a fresh delayed copy, so quiet hours never use up the retry budget.
      await env.SEND.send({ id: m.id }, { delaySeconds: Math.min(hold, 12 * 3600) });
      outcomes.push({ id: m.id, status: "queued", error: `held for quiet hours (${s.quietStart}–${s.quietEnd} local time)` });
      ack(m.id);
      continue;
    }
    toClaim.push(m);
  }

  const claimed = toClaim.length ? await claim(env.DB, toClaim.map((m) => m.id), now()) : new Set<string>();
  const provider = opts.provider ?? createProvider(providerName(s, env), { settings: s, env });
  const base = publicBase(settings);
  const key = claimed.size ? await linkKey(env) : null;
  const gap = provider.paced === false ? 0 : 1000 / s.ratePerSecond;
  let nextSlot = 0;
  const demo: SentForDemo[] = [];
  const attempts = new Map(toClaim.map((m) => [m.id, m.attempts]));
  const accepted: string[] = []; // sent to a bulk provider, delivered (and acked) at its flush
  const inFlight = new Set<Promise<void>>();
  const settle = (m: MessageForSend, email: OutgoingEmail, result: SendResult) => {
    if (result.ok) {
      demo.push({ id: m.id, contactId: m.contactId, subject: email.subject, html: email.html, kind: m.kind });
      outcomes.push({ id: m.id, status: "sent", provider: provider.name, providerMessageId: result.providerMessageId, subject: email.subject, toEmail: email.to.email, contactId: m.contactId, at: now() });
      if (provider.flush) accepted.push(m.id);
      else ack(m.id);
    } else if (result.retryable) {
      outcomes.push({ id: m.id, status: "queued", error: result.error });
      retry(m.id, backoffSeconds(m.attempts + 1, random(), result.retryAfterSeconds));
    } else {
      outcomes.push({ id: m.id, status: "failed", error: result.error });
      ack(m.id);
    }
  };

  for (const m of toClaim) {
    if (!claimed.has(m.id)) {
      ack(m.id); // someone else sent (or is sending) it
      continue;
    }
    const template = withCampaignContent(templates.get(m.templateId), m); // a campaign's variant subject, sender
    if (!template) {
      outcomes.push({ id: m.id, status: "failed", error: "the template no longer exists" });
      ack(m.id);
      continue;
    }
    let email;
    try {
      email = await compose(m, template, settings, key!, base, now());
    } catch (err) {
      outcomes.push({ id: m.id, status: "failed", error: err instanceof RenderError ? `template: ${err.message}` : String(err instanceof Error ? err.message : err) });
      ack(m.id);
      continue;
    }
    const wait = nextSlot - now();
    if (wait > 0) await scheduler.wait(wait);
    nextSlot = Math.max(now(), nextSlot) + gap;

    // A provider's API answers in tens or hundreds of milliseconds: several requests are in flight at once (still
    // started no faster than the rate), or one slow answer at a time would cap sending at a few per second.
    while (inFlight.size >= PARALLEL_SENDS) await Promise.race(inFlight);
    const sending: Promise<void> = provider
      .send(email)
      .catch((err): SendResult => ({ ok: false, retryable: true, error: `${provider.name}: ${err instanceof Error ? err.message : String(err)}` }))
      .then((result) => settle(m, email, result))
      .finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  }
  await Promise.all(inFlight);
  if (provider.flush) {
    try {
      await provider.flush();
      accepted.forEach(ack);
    } catch (err) {
      // Nothing accepted since the last flush was delivered: those sends are retried like a provider outage.
      const error = `${provider.name}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300);
      for (const [i, o] of outcomes.entries()) {
        if (o.status !== "sent" || !accepted.includes(o.id)) continue;
        outcomes[i] = { id: o.id, status: "queued", error };
        retry(o.id, backoffSeconds((attempts.get(o.id) ?? 0) + 1, random()));
      }
      demo.length = 0;
    }
  }
  await recordOutcomes(env.DB, outcomes, now());
  if (s.simulateRecipients && provider.name === "outbox") await simulateRecipients(env, demo, now());
}

const PREFERRED_GAP = { weekly: 7 * DAY, monthly: 30 * DAY } as const;

/** Why a marketing email may not go to this contact now, or null. */
function marketingBlock(m: MessageForSend, s: Settings["sending"], now: number): string | null {
  if (m.contactStatus && m.contactStatus !== "active") return `the contact is ${m.contactStatus}`;
  if (m.topicId !== null && m.topicStatus !== "subscribed") return "the contact is not subscribed to this topic";
  if (m.pausedUntil && m.pausedUntil > now) return `the contact paused email until ${new Date(m.pausedUntil).toISOString().slice(0, 10)}`;
  if (m.emailFrequency === "weekly" || m.emailFrequency === "monthly") {
    if (m.lastMarketingAt && now - m.lastMarketingAt < PREFERRED_GAP[m.emailFrequency]) return `the contact asked for at most one email a ${m.emailFrequency === "weekly" ? "week" : "month"}`;
  }
  if (s.frequencyCap > 0 && m.recentMarketing >= s.frequencyCap) return `frequency cap: ${s.frequencyCap} emails in ${s.frequencyDays} days`;
  return null;
}

/** Renders and builds one message. */
export async function compose(m: MessageForSend, t: TemplateRow, settings: Settings, key: CryptoKey, base: string, now: number) {
  const s = settings.sending;
  // A test sent to another address must not carry the rendered contact's unsubscribe and preference links.
  const links = await messageLinks(key, base, { id: m.id, contactId: m.toEmail ? null : m.contactId, topicId: m.topicId });
  const contact = contactModel({ ...m, id: m.contactId, email: m.toEmail ?? m.email });
  const model = renderModel(settings, contact, links, {
    event: m.data ? jsonObject(m.data) : null,
    campaign: m.campaignId ? { id: m.campaignId, name: m.campaignName ?? "" } : null,
    flow: m.flowId ? { id: m.flowId, name: m.flowName ?? "" } : null,
    now,
  });
  const rendered = await renderEmail(t as TemplateSource, model);
  const marketing = m.kind === "marketing";
  const utm = s.utm ? { source: s.utmSource, medium: s.utmMedium, campaign: slug(m.campaignName ?? m.flowName ?? "email") } : null;
  let html = await rewriteLinks(rendered.html, {
    click: s.trackClicks && m.trackClicks ? links.click : undefined,
    utm,
    skip: [links.unsubscribe, links.preferences, links.viewInBrowser],
  });
  if (s.trackOpens && m.trackOpens) html = withPixel(html, links.open);

  const fromEmail = t.fromEmail || settings.sender.fromEmail;
  if (!fromEmail) throw new Error("no sender address: set one on the template or in Settings → General");
  const name = [m.firstName, m.lastName].filter(Boolean).join(" ");
  return buildMessage({
    messageId: m.id,
    host: new URL(base).hostname,
    from: { email: fromEmail, name: t.fromName || settings.sender.fromName || settings.store.name },
    to: { email: (m.toEmail ?? m.email)!, ...(name && !m.toEmail ? { name } : {}) },
    replyTo: t.replyTo || settings.sender.replyTo || undefined,
    rendered: { ...rendered, html },
    ...(marketing ? { unsubscribeUrl: links.unsubscribe, list: { id: m.topicKey ?? "marketing", name: `${settings.store.name}: ${m.topicName ?? "Marketing"}` } } : {}),
    date: new Date(now),
  });
}

const slug = (s: string) => s.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "email";
