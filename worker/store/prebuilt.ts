/**
 * Installing a prebuilt flow: the topics and segment it relies on (created when missing, reused otherwise), its
 * own copies of the templates, and the flow itself as an editable draft under a name no other flow has.
 */
import { instantiate, type PrebuiltFlow } from "../core/prebuilt-flows";
import { parseSegment } from "../core/segment";
import { createFlow, type FlowRow } from "./flows";
import { createSegment } from "./segments";
import { getSettings } from "./settings";
import { createTopic, topicsByKey } from "./topics";

export interface InstalledFlow {
  flow: FlowRow;
  templates: { id: number; name: string }[];
  segmentId: number | null;
  /** what the owner should do before publishing */
  warnings: string[];
}

/** "Welcome series", else "Welcome series (2)", (3), …: the first name no flow uses. */
export async function freeFlowName(d1: D1Database, base: string): Promise<string> {
  const rows = await d1.prepare("SELECT name FROM flows WHERE substr(name, 1, ?) = ?").bind(base.length, base).all<{ name: string }>();
  const taken = new Set(rows.results.map((r) => r.name));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base} (${n})`)) return `${base} (${n})`;
}

async function ensureSegment(d1: D1Database, seg: NonNullable<PrebuiltFlow["segment"]>, now: number): Promise<number> {
  const found = await d1.prepare("SELECT id FROM segments WHERE prebuilt = ? ORDER BY id LIMIT 1").bind(seg.key).first<{ id: number }>();
  if (found) return found.id;
  const row = await createSegment(d1, { name: seg.name, description: seg.description, definition: parseSegment(seg.definition), prebuilt: seg.key }, now);
  return row.id;
}

export async function installPrebuiltFlow(d1: D1Database, entry: PrebuiltFlow, now: number): Promise<InstalledFlow> {
  for (const t of entry.topics) await createTopic(d1, t, now); // no-op when the key exists: the owner's settings stay
  const [topics, marketing, segmentId, name, settings] = await Promise.all([
    topicsByKey(d1, entry.topics.map((t) => t.key)),
    d1.prepare("SELECT key FROM topics WHERE kind = 'marketing' ORDER BY key").all<{ key: string }>(),
    entry.segment ? ensureSegment(d1, entry.segment, now) : Promise.resolve(null),
    freeFlowName(d1, entry.name),
    getSettings(d1),
  ]);

  // The flow's own copies of its emails, named after it, in one batch (one transaction).
  const inserted = await d1.batch<{ id: number; name: string }>(
    entry.emails.map(({ template: t }) =>
      d1
        .prepare("INSERT INTO templates (name, subject, preheader, html, text, layout, created_at, updated_at) VALUES (?, ?, ?, ?, NULL, 'default', ?, ?) RETURNING id, name")
        .bind(`${name} · ${t.name}`, t.subject, t.preheader, t.html, now, now),
    ),
  );
  const templates = inserted.map((r) => r.results[0]!);
  const byKey = new Map(entry.emails.map((e, i) => [e.template.key, templates[i]!.id]));
  const id = <T>(map: Map<string, T>, kind: string, key: string): T => {
    const v = map.get(key);
    if (v === undefined) throw new Error(`prebuilt flow ${entry.key}: no ${kind} "${key}"`);
    return v;
  };

  try {
    const definition = instantiate(entry, {
      template: (key) => id(byKey, "template", key),
      topic: (key) => id(topics, "topic", key).id,
      segment: () => segmentId ?? id(new Map(), "segment", entry.key),
      marketingTopics: marketing.results.map((t) => t.key),
    });
    const flow = await createFlow(d1, name, definition, now);
    return { flow, templates, segmentId, warnings: warnings(settings.store.website, entry) };
  } catch (err) {
    await d1.prepare(`DELETE FROM templates WHERE id IN (${templates.map(() => "?").join(",")})`).bind(...templates.map((t) => t.id)).run();
    throw err;
  }
}

function warnings(website: string, entry: PrebuiltFlow): string[] {
  const out: string[] = [];
  if (!website) {
    out.push(
      entry.key === "sunset"
        ? "Set your shop's website in Settings → Store: the 'keep me on the list' button links to it, and only a click on a web link counts."
        : "Set your shop's website in Settings → Store: the emails' buttons link to it.",
    );
  }
  if (entry.emails.some((e) => e.template.html.includes("{% assign code ="))) out.push("Some emails offer a discount code: create it in your shop, or change it in the template.");
  if (entry.segment) out.push(`People already in "${entry.segment.name}" when you publish do not enter; only those who join it afterwards do.`);
  return out;
}
