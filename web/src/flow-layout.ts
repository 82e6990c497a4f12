/**
 * Where things sit on the flow canvas: a top-to-bottom tree from the first step, each link that leads nowhere
 * ending in a slot ("+" to add a step there), branches side by side in link order (yes/happened/A first), a
 * parent centred over its branches. A step reached twice keeps its first, shallowest place; the other links to
 * it are drawn as cross links. The result is deterministic, and saved in the definition's `layout`, so a flow
 * opens the way it was left.
 */
import { ports, TRIGGER } from "./flow-model";
import type { FlowDefinition } from "./types";

/** Column and row pitch, card width and heights (px at 100%); rows are drawn shorter without live figures. */
export const COL = 264;
export const ROW = 200;
export const ROW_COMPACT = 160;
export const CARD_W = 232;
export const CARD_H = 78;
export const CARD_H_LIVE = 128;

export interface Point {
  x: number;
  y: number;
}

/** A link that leads nowhere yet. */
export interface Slot extends Point {
  id: string;
  from: string;
  port: string;
}

export interface Edge {
  from: string;
  port: string;
  label: string | null;
  tone?: "yes" | "no" | "timeout";
  /** a step id, or a slot id when `kind` is "end" */
  to: string;
  kind: "tree" | "cross" | "end";
}

export interface Scene {
  nodes: Record<string, Point>;
  trigger: Point;
  slots: Slot[];
  edges: Edge[];
  /** nodes the first step does not lead to, laid out beside the tree */
  orphans: string[];
}

const slotId = (from: string, port: string) => `${from}:${port}`;

export function layoutScene(def: Pick<FlowDefinition, "entry" | "nodes" | "layout">): Scene {
  type Item = { kind: "node"; id: string } | { kind: "slot"; id: string; from: string; port: string };
  const children = new Map<string, Item[]>();
  const depth = new Map<string, number>();
  const placed = new Set<string>();
  const edges: Edge[] = [];
  const roots: Item[] = [];

  // Trees breadth-first from the first step, then from any step nothing leads to (a draft being rearranged).
  const grow = (root: string) => {
    placed.add(root);
    depth.set(root, 0);
    const queue = [root];
    while (queue.length) {
      const id = queue.shift()!;
      const kids: Item[] = [];
      for (const p of ports(def.nodes[id]!)) {
        if (p.to === null || !def.nodes[p.to]) {
          const sid = slotId(id, p.key);
          kids.push({ kind: "slot", id: sid, from: id, port: p.key });
          depth.set(sid, depth.get(id)! + 1);
          edges.push({ from: id, port: p.key, label: p.label, tone: p.tone, to: sid, kind: "end" });
        } else if (!placed.has(p.to)) {
          placed.add(p.to);
          depth.set(p.to, depth.get(id)! + 1);
          kids.push({ kind: "node", id: p.to });
          queue.push(p.to);
          edges.push({ from: id, port: p.key, label: p.label, tone: p.tone, to: p.to, kind: "tree" });
        } else {
          edges.push({ from: id, port: p.key, label: p.label, tone: p.tone, to: p.to, kind: "cross" });
        }
      }
      children.set(id, kids);
    }
  };
  if (def.entry && def.nodes[def.entry]) {
    grow(def.entry);
    roots.push({ kind: "node", id: def.entry });
    edges.push({ from: TRIGGER, port: "entry", label: null, to: def.entry, kind: "tree" });
  } else {
    const sid = slotId(TRIGGER, "entry");
    depth.set(sid, 0);
    roots.push({ kind: "slot", id: sid, from: TRIGGER, port: "entry" });
    edges.push({ from: TRIGGER, port: "entry", label: null, to: sid, kind: "end" });
  }
  // Steps the first one does not lead to (a draft being rearranged) form trees of their own, beside the main one;
  // a step nothing leads to is preferred as a root, so a detached chain keeps its order.
  const main = new Set(placed);
  const pointedAt = new Set(Object.values(def.nodes).flatMap((n) => ports(n).map((p) => p.to)));
  for (let rest = Object.keys(def.nodes).filter((id) => !placed.has(id)); rest.length; rest = rest.filter((id) => !placed.has(id))) {
    const root = rest.find((id) => !pointedAt.has(id)) ?? rest[0]!;
    grow(root);
    roots.push({ kind: "node", id: root });
  }
  const orphans = Object.keys(def.nodes).filter((id) => !main.has(id));

  const width = new Map<string, number>();
  const measure = (item: Item): number => {
    const kids = item.kind === "node" ? (children.get(item.id) ?? []) : [];
    const w = Math.max(1, kids.reduce((s, k) => s + measure(k), 0));
    width.set(item.id, w);
    return w;
  };
  const nodes: Record<string, Point> = {};
  const slots: Slot[] = [];
  const place = (item: Item, left: number, extraDepth: number) => {
    const x = Math.round((left + width.get(item.id)! / 2 - 0.5) * COL);
    const y = (depth.get(item.id)! + extraDepth) * ROW;
    if (item.kind === "slot") {
      slots.push({ id: item.id, from: item.from, port: item.port, x, y });
      return;
    }
    nodes[item.id] = { x, y };
    let at = left;
    for (const k of children.get(item.id) ?? []) {
      place(k, at, extraDepth);
      at += width.get(k.id)!;
    }
  };
  let left = 0;
  roots.forEach((root, i) => {
    measure(root);
    // Detached trees sit to the right of the main one, a little lower, so they read as "not connected".
    place(root, left, i === 0 ? 0 : 1);
    left += width.get(root.id)! + (i === 0 ? 0.5 : 0.25);
  });

  // Positions saved by this editor are used as they are (they match unless the flow was edited elsewhere); the
  // editor drops them when it changes the links, so they never describe another shape.
  const saved = def.layout;
  if (saved && !orphans.length && Object.keys(def.nodes).every((id) => saved[id] && saved[id]!.y % ROW === 0 && saved[id]!.x % (COL / 2) === 0)) {
    for (const id of Object.keys(def.nodes)) nodes[id] = { x: saved[id]!.x, y: saved[id]!.y };
  }

  const first = def.entry && nodes[def.entry] ? nodes[def.entry]! : (slots.find((s) => s.from === TRIGGER) ?? { x: 0, y: 0 });
  return { nodes, trigger: { x: first.x, y: -ROW }, slots, edges, orphans };
}

/** The positions to save in the definition. */
export function layoutOf(scene: Scene): Record<string, Point> {
  return Object.fromEntries(Object.entries(scene.nodes).map(([id, p]) => [id, { x: p.x, y: p.y }]));
}
