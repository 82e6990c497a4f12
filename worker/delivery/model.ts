/** What a template sees about a contact and the store, built from stored rows. */
import { jsonObject } from "../core/json";
import type { Settings } from "../core/settings";
import type { RenderModel } from "../core/template";
import type { MessageLinks } from "./links";

export interface ContactFieldsRow {
  id?: number | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  timezone: string | null;
  locale: string | null;
  country: string | null;
  birthday: string | null;
  externalId: string | null;
  /** JSON text or an object */
  properties: string | Record<string, unknown> | null;
}

/** Custom properties first, so a property called "email" can never mask the real address. */
export function contactModel(c: ContactFieldsRow): Record<string, unknown> {
  const props = typeof c.properties === "string" ? jsonObject(c.properties) : (c.properties ?? {});
  return {
    ...props,
    properties: props,
    id: c.id ?? null,
    email: c.email,
    first_name: c.firstName,
    last_name: c.lastName,
    name: [c.firstName, c.lastName].filter(Boolean).join(" "),
    phone: c.phone,
    timezone: c.timezone,
    locale: c.locale,
    country: c.country,
    birthday: c.birthday,
    external_id: c.externalId,
  };
}

export function storeModel(s: Settings): RenderModel["store"] {
  return {
    name: s.store.name,
    address: s.store.address,
    website: s.store.website,
    logo_url: s.store.logoUrl,
    brand_color: s.store.brandColor,
    currency: s.store.currency,
  };
}

export function renderModel(
  settings: Settings,
  contact: Record<string, unknown>,
  links: Pick<MessageLinks, "unsubscribe" | "preferences" | "viewInBrowser">,
  extra: { event?: Record<string, unknown> | null; campaign?: { id: number; name: string } | null; flow?: { id: number; name: string } | null; now: number },
): RenderModel {
  return {
    contact,
    ...(extra.event ? { event: extra.event } : {}),
    ...(extra.campaign ? { campaign: extra.campaign } : {}),
    ...(extra.flow ? { flow: extra.flow } : {}),
    store: storeModel(settings),
    unsubscribe_url: links.unsubscribe,
    preferences_url: links.preferences,
    view_in_browser_url: links.viewInBrowser,
    now: new Date(extra.now).toISOString(),
  };
}


/** The origin links in emails use: Settings → Sending, else the local dev server. */
export const publicBase = (s: Settings) => (s.sending.publicUrl || "http://localhost:8787").replace(/\/+$/, "");
