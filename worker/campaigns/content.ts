/**
 * What a campaign changes in its template at send time: the A/B variant's subject and preheader, then the
 * campaign's own subject, sender and reply-to. (A content variant needs nothing here: its message already
 * points at the variant's template.)
 */
import type { AbTest, Envelope } from "./model";

interface TemplateFields {
  subject: string;
  preheader: string;
  fromName: string | null;
  fromEmail: string | null;
  replyTo: string | null;
}

/** The campaign columns the send consumer loads with each message (JSON text, as D1 returns it). */
export interface CampaignContent {
  variant: string | null;
  campaignAbTest?: string | null;
  campaignSender?: string | null;
}

function parse<T>(text: string | null | undefined): Partial<T> {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === "object" ? (v as Partial<T>) : {};
  } catch {
    return {};
  }
}

export function withCampaignContent<T extends TemplateFields>(template: T | undefined, m: CampaignContent): T | undefined {
  if (!template || (!m.campaignAbTest && !m.campaignSender)) return template;
  const envelope = parse<Envelope>(m.campaignSender);
  const variant = m.variant ? parse<AbTest>(m.campaignAbTest).variants?.find((v) => v.key === m.variant) : undefined;
  return {
    ...template,
    subject: variant?.subject || envelope.subject || template.subject,
    preheader: variant?.preheader ?? envelope.preheader ?? template.preheader,
    fromName: envelope.fromName || template.fromName,
    fromEmail: envelope.fromEmail || template.fromEmail,
    replyTo: envelope.replyTo || template.replyTo,
  };
}
