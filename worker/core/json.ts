/** JSON helpers shared by the layers. */

/** Parses JSON text that should hold an object; anything else (null, arrays, bad JSON) is an empty object. */
export function jsonObject(text: string | null | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
