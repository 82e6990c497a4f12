/** Contact fields: email rules, trait mapping shared by ingest, the admin API and CSV import. */
import { z } from "zod";

// Pragmatic address check: one @, no spaces, control characters or header-breaking characters, a dotted domain.
const emailRe = /^[^\s@<>()[\]\\,;:"\x00-\x1f\x7f]+@[^\s@<>()[\]\\,;:"\x00-\x1f\x7f]+\.[^\s@<>()[\]\\,;:"\x00-\x1f\x7f.]{2,}$/;

export function normalizeEmail(input: string): string | null {
  const email = input.trim().toLowerCase();
  if (email.length > 254 || !emailRe.test(email) || email.includes("..")) return null;
  const local = email.slice(0, email.lastIndexOf("@"));
  return local.length > 64 ? null : email;
}

export const emailSchema = z
  .string()
  .max(320)
  .transform((value, ctx) => {
    const email = normalizeEmail(value);
    if (!email) {
      ctx.addIssue({ code: "custom", message: "not a valid email address" });
      return z.NEVER;
    }
    return email;
  });

// Constructing an Intl.DateTimeFormat costs ~0.1 ms, and ingest checks every event's context.timezone.
const knownTimezones = new Map<string, boolean>();

export function isTimezone(tz: string): boolean {
  if (tz.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(tz)) return false;
  let ok = knownTimezones.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    if (knownTimezones.size >= 1000) knownTimezones.clear();
    knownTimezones.set(tz, ok);
  }
  return ok;
}

/** Accepts YYYY-MM-DD, an ISO timestamp, MM-DD or --MM-DD; returns YYYY-MM-DD or --MM-DD. */
export function normalizeBirthday(input: string): string | null {
  const text = input.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:T.*)?$/.exec(text);
  if (m) return validDay(Number(m[2]), Number(m[3]), Number(m[1])) ? `${m[1]}-${m[2]}-${m[3]}` : null;
  m = /^(?:--)?(\d{2})-(\d{2})$/.exec(text);
  if (m) return validDay(Number(m[1]), Number(m[2]), 2000) ? `--${m[1]}-${m[2]}` : null;
  return null;
}

function validDay(month: number, day: number, year: number): boolean {
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The contact columns a trait can set directly; everything else lands in `properties`. */
export interface ContactFields {
  email?: string;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  timezone?: string | null;
  locale?: string | null;
  country?: string | null;
  birthday?: string | null;
}

export interface MappedTraits {
  fields: ContactFields;
  properties: Record<string, unknown>;
  /** problems with trait values, as [path, message] */
  issues: [string, string][];
}

// Spellings of the same trait used by Segment, Shopify, Klaviyo exports and spreadsheets.
const aliases: Record<string, keyof ContactFields | "name" | "skip"> = {
  email: "email",
  email_address: "email",
  firstname: "firstName",
  first_name: "firstName",
  lastname: "lastName",
  last_name: "lastName",
  name: "name",
  full_name: "name",
  phone: "phone",
  phone_number: "phone",
  timezone: "timezone",
  time_zone: "timezone",
  locale: "locale",
  language: "locale",
  country: "country",
  birthday: "birthday",
  date_of_birth: "birthday",
  id: "skip",
  userid: "skip",
  user_id: "skip",
  anonymousid: "skip",
  anonymous_id: "skip",
  external_id: "skip",
};

const canonical = (key: string) => key.trim().toLowerCase().replace(/[\s-]+/g, "_");
const text = (value: unknown, max: number) => (typeof value === "string" || typeof value === "number" ? String(value).trim().slice(0, max) : null);

/**
 * Splits traits into contact columns and custom properties. Values of the wrong shape become issues, not
 * exceptions; an explicit null clears a column (and removes a custom property).
 */
export function mapTraits(traits: Record<string, unknown>): MappedTraits {
  const fields: ContactFields = {};
  const properties: Record<string, unknown> = {};
  const issues: [string, string][] = [];
  let fullName: string | null = null;
  for (const [key, value] of Object.entries(traits)) {
    const target = aliases[canonical(key)] ?? aliases[canonical(key).replace(/_/g, "")];
    if (target === "skip") continue;
    if (target === undefined) {
      if (key.length > 0 && key.length <= 100) properties[key] = value;
      else issues.push([key.slice(0, 100), "property names must be 1 to 100 characters"]);
      continue;
    }
    if (value === null) {
      if (target !== "email" && target !== "name") fields[target] = null;
      continue;
    }
    if (target === "email") {
      const email = typeof value === "string" ? normalizeEmail(value) : null;
      if (email) fields.email = email;
      else issues.push([key, "not a valid email address"]);
    } else if (target === "name") {
      fullName = text(value, 200);
    } else if (target === "timezone") {
      const tz = text(value, 64);
      if (tz && isTimezone(tz)) fields.timezone = tz;
      else issues.push([key, "not an IANA time zone such as Europe/Paris"]);
    } else if (target === "birthday") {
      const day = typeof value === "string" ? normalizeBirthday(value) : null;
      if (day) fields.birthday = day;
      else issues.push([key, "birthday must be YYYY-MM-DD or MM-DD"]);
    } else if (target === "country" && typeof value === "object") {
      continue;
    } else {
      const t = text(value, target === "locale" ? 35 : 200);
      if (t === null) issues.push([key, "must be a string"]);
      else fields[target] = t || null;
    }
  }
  // Segment's address trait carries the country.
  const address = traits.address;
  if (fields.country === undefined && address && typeof address === "object" && !Array.isArray(address)) {
    const country = text((address as Record<string, unknown>).country, 100);
    if (country) fields.country = country;
  }
  if (fullName && fields.firstName === undefined && fields.lastName === undefined) {
    const [first, ...rest] = fullName.split(/\s+/);
    fields.firstName = first || null;
    fields.lastName = rest.join(" ") || null;
  }
  return { fields, properties, issues };
}
