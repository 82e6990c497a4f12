/** Wall-clock time in a contact's time zone, without a date library: Intl gives the offsets. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", { timeZone: timezone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", weekday: "short" });
    } catch {
      f = formatter("UTC");
    }
    formatters.set(timezone, f);
  }
  return f;
}

export interface LocalTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** The local calendar fields of an instant in a time zone (unknown zones read as UTC). */
export function localTime(at: number, timezone: string): LocalTime {
  const parts = Object.fromEntries(formatter(timezone).formatToParts(at).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? "Sun"),
  };
}

/** Offset of the zone from UTC at an instant, in ms (positive east of Greenwich). */
function offsetAt(at: number, timezone: string): number {
  const l = localTime(at, timezone);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) - Math.floor(at / 1000) * 1000;
}

/**
 * The instant a local wall-clock time happens in a zone. A time skipped by a DST jump resolves to after the
 * jump (02:30 on a 02:00→03:00 night is 03:30); a time that happens twice resolves to the first.
 */
export function zonedTime(year: number, month: number, day: number, hour: number, minute: number, timezone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // The offsets in force half a day either side cover any DST change near this wall time.
  const candidates = [...new Set([offsetAt(wall - 12 * 3600_000, timezone), offsetAt(wall + 12 * 3600_000, timezone)])].map((o) => wall - o);
  const exact = candidates.filter((at) => {
    const l = localTime(at, timezone);
    return l.hour === hour && l.minute === minute;
  });
  // Two exact answers: the wall time happens twice (fall back), take the first. None: it falls in the
  // spring-forward gap, take the later candidate, which reads as the same duration after the jump.
  return exact.length ? Math.min(...exact) : Math.max(...candidates);
}

/**
 * The next instant strictly after `after` when the local clock shows `hh:mm`, on one of `weekdays`
 * (0 = Sunday; empty: any day).
 */
export function nextLocalTime(after: number, timezone: string, hh: number, mm: number, weekdays: number[] = []): number {
  const start = localTime(after, timezone);
  for (let i = 0; i < 8; i++) {
    const date = new Date(Date.UTC(start.year, start.month - 1, start.day + i));
    const at = zonedTime(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), hh, mm, timezone);
    if (at > after && (!weekdays.length || weekdays.includes(date.getUTCDay()))) return at;
  }
  throw new Error("no matching local time within a week");
}

/** Minutes since local midnight. */
export function localMinutes(at: number, timezone: string): number {
  const l = localTime(at, timezone);
  return l.hour * 60 + l.minute;
}
