/**
 * The flow canvas: the trigger and steps as cards, links as SVG connectors labelled with their branch, a "+" on
 * every link and open end to add a step there, problems at the step they are about, live figures per step, and a
 * simulated path highlighted. Zoom with the wheel, a pinch or the buttons; pan by dragging the background.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { formatMoney, formatNumber } from "./format";
import { FlowIcon, NODE_ICONS } from "./flow-icons";
import { CARD_H, CARD_H_LIVE, CARD_W, ROW, ROW_COMPACT, type Edge, type Scene } from "./flow-layout";
import { NODE_TYPES, nodeTypeDef, nodeWords, TRIGGER, triggerWords, type LinkRef, type Names, type NodeType } from "./flow-model";
import { Icon } from "./icons";
import type { FlowDefinition, FlowNode, NodeFigures } from "./types";
import { cx } from "./ui";

export interface SimPath {
  /** visit numbers (1-based) by step id */
  nodes: Map<string, number[]>;
  /** "from>to" for each link the run took ("__trigger>first") */
  edges: Set<string>;
  /** where the run stopped, and how to say it */
  endedAt: string | null;
  endedLabel: string;
}

export interface CanvasProps {
  def: FlowDefinition;
  scene: Scene;
  names: Names;
  /** a step id, "trigger" or null */
  selected: string | null;
  onSelect: (id: string | null) => void;
  onAdd: (at: LinkRef, type: NodeType) => void;
  /** Delete or Backspace on a focused step */
  onRemove?: (id: string) => void;
  /** problems by step id ("trigger" for the trigger) */
  problems: Map<string, string[]>;
  figures: Record<string, NodeFigures> | null;
  currency: string;
  path: SimPath | null;
  /** tells the page how to fit the view (called once the canvas knows its size) */
  fitRef?: { current: ((readable?: boolean) => void) | null };
}

interface View {
  x: number;
  y: number;
  k: number;
}

/** The breakpoint where the editor stacks the panel under the canvas (styles.css) and the page scrolls. */
const stacked = window.matchMedia("(max-width: 1100px)");
const MIN_ZOOM = 0.3;
const MAX_ZOOM = 1.6;
const clamp = (k: number) => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));
const PLUS = 24;
const SLOT = 28;

export function FlowCanvas(props: CanvasProps) {
  const { def, scene, selected, onSelect, problems, figures, path } = props;
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<View>({ x: 0, y: 0, k: 1 });
  const viewRef = useRef(view);
  viewRef.current = view;
  const [adding, setAdding] = useState<{ at: LinkRef; x: number; y: number; end: boolean } | null>(null);
  const [dragging, setDragging] = useState(false);
  const fitted = useRef(false);

  // Rows are laid out at the live pitch; without figures the cards are shorter, and so are the rows.
  const Y = (y: number) => (figures ? y : (y / ROW) * ROW_COMPACT);
  const heightOf = (id: string) => (figures ? CARD_H_LIVE : CARD_H) + (problems.has(id) ? 24 : 0);
  const triggerH = CARD_H + (problems.has("trigger") ? 24 : 0);

  // ---- view ----------------------------------------------------------------------------------------------
  const bounds = () => {
    const xs: number[] = [scene.trigger.x, scene.trigger.x + CARD_W];
    const ys: number[] = [Y(scene.trigger.y), Y(scene.trigger.y) + triggerH];
    for (const [id, p] of Object.entries(scene.nodes)) {
      xs.push(p.x, p.x + CARD_W);
      ys.push(Y(p.y), Y(p.y) + heightOf(id));
    }
    for (const s of scene.slots) {
      xs.push(s.x, s.x + CARD_W);
      ys.push(Y(s.y), Y(s.y) + SLOT + 20);
    }
    return { minX: Math.min(...xs), maxX: Math.max(...xs), minY: Math.min(...ys), maxY: Math.max(...ys) };
  };
  /** Everything in view; `readable` keeps the cards legible (a long flow then starts at its top). */
  const fit = (readable = false) => {
    const el = box.current;
    if (!el || !el.clientWidth) return;
    const b = bounds();
    const pad = 40;
    const W = el.clientWidth;
    const H = el.clientHeight;
    const k = clamp(Math.max(readable ? 0.8 : 0, Math.min(1, (W - pad * 2) / (b.maxX - b.minX), (H - pad * 2) / (b.maxY - b.minY))));
    const x = (W - (b.maxX - b.minX) * k) / 2 - b.minX * k;
    // Too tall even at the smallest zoom: start at the top, where the trigger is.
    const tall = (b.maxY - b.minY) * k > H - pad * 2;
    const y = tall ? pad - b.minY * k : (H - (b.maxY - b.minY) * k) / 2 - b.minY * k;
    setView({ x, y, k });
  };
  if (props.fitRef) props.fitRef.current = fit;

  useLayoutEffect(() => {
    const el = box.current!;
    const ro = new ResizeObserver(() => {
      if (!fitted.current && el.clientWidth) {
        fitted.current = true;
        fit(true);
      }
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Bring a step selected from outside the canvas (a new step, a problem in the list) into view.
  useEffect(() => {
    const el = box.current;
    if (!el || !selected || !fitted.current) return;
    const b = selected === "trigger" ? boxOf(TRIGGER) : scene.nodes[selected] ? boxOf(selected) : null;
    if (!b) return;
    const v = viewRef.current;
    const left = b.x * v.k + v.x;
    const top = b.y * v.k + v.y;
    const w = CARD_W * v.k;
    const h = b.h * v.k;
    const m = 24;
    if (left >= m && top >= m && left + w <= el.clientWidth - m && top + h <= el.clientHeight - m) return;
    // The whole flow fits at this zoom: show all of it; else bring the step to the upper third.
    const all = bounds();
    if ((all.maxX - all.minX) * v.k <= el.clientWidth - 2 * m && (all.maxY - all.minY) * v.k <= el.clientHeight - 2 * m) {
      setView({ ...v, x: (el.clientWidth - (all.maxX - all.minX) * v.k) / 2 - all.minX * v.k, y: (el.clientHeight - (all.maxY - all.minY) * v.k) / 2 - all.minY * v.k });
      return;
    }
    setView({ ...v, x: left < m || left + w > el.clientWidth - m ? el.clientWidth / 2 - (b.x + CARD_W / 2) * v.k : v.x, y: top < m || top + h > el.clientHeight - m ? el.clientHeight / 3 - b.y * v.k : v.y });
  }, [selected, scene]);

  const zoomAt = (factor: number, cx0?: number, cy0?: number) => {
    const el = box.current!;
    const v = viewRef.current;
    const px = cx0 ?? el.clientWidth / 2;
    const py = cy0 ?? el.clientHeight / 2;
    const k = clamp(v.k * factor);
    const r = k / v.k;
    setView({ k, x: px - (px - v.x) * r, y: py - (py - v.y) * r });
  };

  // Wheel zooms around the pointer (a trackpad pinch arrives as a ctrl+wheel). Where the canvas sits in a page
  // that scrolls (narrow screens), a plain wheel scrolls the page and Ctrl+wheel zooms.
  useEffect(() => {
    const el = box.current!;
    const onWheel = (e: WheelEvent) => {
      if (!e.ctrlKey && !e.metaKey && stacked.matches) return;
      e.preventDefault();
      const r = el.getBoundingClientRect();
      const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
      zoomAt(Math.exp(-dy * (e.ctrlKey ? 0.01 : 0.0015)), e.clientX - r.left, e.clientY - r.top);
    };
    el.addEventListener("wheel", onWheel, { passive: false });
    return () => el.removeEventListener("wheel", onWheel);
  }, []);

  // Drag the background to pan; two fingers pinch to zoom.
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  const gesture = useRef<{ x: number; y: number; view: View; moved: boolean; dist?: number } | null>(null);
  const onPointerDown = (e: PointerEvent) => {
    if ((e.target as HTMLElement).closest(".flow-node, .flow-plus, .flow-slot, .flow-add-menu, .flow-zoom")) return;
    if (e.button !== 0 && e.pointerType === "mouse") return;
    setAdding(null);
    box.current!.setPointerCapture(e.pointerId);
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    const pts = [...pointers.current.values()];
    if (pts.length === 2) {
      gesture.current = { x: (pts[0]!.x + pts[1]!.x) / 2, y: (pts[0]!.y + pts[1]!.y) / 2, view: viewRef.current, moved: true, dist: Math.hypot(pts[0]!.x - pts[1]!.x, pts[0]!.y - pts[1]!.y) };
    } else gesture.current = { x: e.clientX, y: e.clientY, view: viewRef.current, moved: false };
  };
  const onPointerMove = (e: PointerEvent) => {
    const g = gesture.current;
    if (!g || !pointers.current.has(e.pointerId)) return;
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    const pts = [...pointers.current.values()];
    if (pts.length >= 2 && g.dist) {
      const r = box.current!.getBoundingClientRect();
      const mx = (pts[0]!.x + pts[1]!.x) / 2;
      const my = (pts[0]!.y + pts[1]!.y) / 2;
      const k = clamp(g.view.k * (Math.hypot(pts[0]!.x - pts[1]!.x, pts[0]!.y - pts[1]!.y) / g.dist));
      const ox = g.x - r.left;
      const oy = g.y - r.top;
      const ratio = k / g.view.k;
      setView({ k, x: ox - (ox - g.view.x) * ratio + (mx - g.x), y: oy - (oy - g.view.y) * ratio + (my - g.y) });
      return;
    }
    const dx = e.clientX - g.x;
    const dy = e.clientY - g.y;
    if (!g.moved && Math.hypot(dx, dy) < 4) return;
    if (!g.moved) setDragging(true);
    g.moved = true;
    setView({ ...g.view, x: g.view.x + dx, y: g.view.y + dy });
  };
  const onPointerUp = (e: PointerEvent) => {
    const g = gesture.current;
    pointers.current.delete(e.pointerId);
    if (pointers.current.size === 0) {
      if (g && !g.moved && e.type === "pointerup") onSelect(null);
      gesture.current = null;
      setDragging(false);
    } else if (pointers.current.size === 1) {
      const [p] = [...pointers.current.values()];
      gesture.current = { x: p!.x, y: p!.y, view: viewRef.current, moved: true };
    }
  };

  useEffect(() => {
    if (!adding) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setAdding(null);
    const onDown = (e: MouseEvent) => !(e.target as HTMLElement).closest(".flow-add-menu, .flow-plus, .flow-slot") && setAdding(null);
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onDown);
    box.current?.querySelector<HTMLButtonElement>(".flow-add-menu .menu-item")?.focus();
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("mousedown", onDown);
    };
  }, [adding]);

  // ---- geometry -------------------------------------------------------------------------------------------
  const boxOf = (id: string) => {
    if (id === TRIGGER) return { x: scene.trigger.x, y: Y(scene.trigger.y), h: triggerH };
    const p = scene.nodes[id]!;
    return { x: p.x, y: Y(p.y), h: heightOf(id) };
  };
  const portX = (e: Edge) => {
    const b = boxOf(e.from);
    if (e.from === TRIGGER) return b.x + CARD_W / 2;
    const all = scene.edges.filter((x) => x.from === e.from);
    const n = all.length;
    const i = all.findIndex((x) => x.port === e.port);
    return n <= 1 ? b.x + CARD_W / 2 : b.x + (CARD_W * (i + 1)) / (n + 1);
  };
  const slotOf = (id: string) => scene.slots.find((s) => s.id === id)!;

  const edgeEls: ComponentChildren[] = [];
  const labelEls: ComponentChildren[] = [];
  const plusEls: ComponentChildren[] = [];
  for (const e of scene.edges) {
    const from = boxOf(e.from);
    const sx = portX(e);
    const sy = from.y + from.h;
    const multi = e.label !== null;
    const on = path?.edges.has(`${e.from}>${e.to}`) ?? false;
    const key = `${e.from}:${e.port}`;
    if (e.kind === "cross") {
      const to = boxOf(e.to);
      const tx = to.x + CARD_W / 2;
      const ty = to.y;
      let d: string;
      if (ty > sy + 40) d = `M ${sx} ${sy} C ${sx} ${sy + 70}, ${tx} ${ty - 70}, ${tx} ${ty}`;
      else {
        // A link back up (a loop): around the right of both cards.
        const out = Math.max(from.x, to.x) + CARD_W + 28;
        d = `M ${sx} ${sy} V ${sy + 18} H ${out} V ${ty - 22} H ${tx} V ${ty}`;
      }
      edgeEls.push(<path key={key} d={d} class={cx("flow-edge is-cross", on && "is-on")} marker-end={`url(#flow-arrow${on ? "-on" : ""})`} />);
      if (multi) labelEls.push(<EdgeLabel key={`l-${key}`} x={sx} y={sy + 6} edge={e} />);
      continue;
    }
    const end = e.kind === "end";
    const target = end ? slotOf(e.to) : null;
    const tx = end ? target!.x + CARD_W / 2 : boxOf(e.to).x + CARD_W / 2;
    const ty = end ? Y(target!.y) : boxOf(e.to).y;
    const my = multi ? sy + 16 : (sy + ty) / 2;
    edgeEls.push(<path key={key} d={orthogonal(sx, sy, tx, ty, my)} class={cx("flow-edge", end && "is-end", on && "is-on")} marker-end={end ? undefined : `url(#flow-arrow${on ? "-on" : ""})`} />);
    const labelTop = my + 6;
    if (multi) labelEls.push(<EdgeLabel key={`l-${key}`} x={tx} y={labelTop} edge={e} />);
    if (!end) {
      const py = multi ? (labelTop + 22 + ty) / 2 : (sy + ty) / 2;
      const at = { from: e.from, port: e.port };
      plusEls.push(
        <button
          key={`p-${key}`}
          type="button"
          class={cx("flow-plus", adding?.at.from === e.from && adding.at.port === e.port && "is-open")}
          style={{ left: `${tx - PLUS / 2}px`, top: `${py - PLUS / 2}px` }}
          aria-label={`Add a step ${describeLink(e, def)}`}
          title="Add a step here"
          onClick={() => setAdding({ at, x: tx, y: py + PLUS / 2 + 4, end: false })}
        >
          <Icon name="plus" size={14} />
        </button>,
      );
    }
  }

  // The menu opens below the "+" when it fits, else above it, always inside the canvas.
  const menuPos = () => {
    const W = box.current?.clientWidth ?? 800;
    const H = box.current?.clientHeight ?? 600;
    const w = 300;
    const h = Math.min(388, (adding!.end ? 9 : 8) * 48 + 12);
    const x = adding!.x * view.k + view.x;
    const below = adding!.y * view.k + view.y;
    const above = below - (PLUS + 12) * view.k - h;
    const top = below + h <= H - 8 ? below : above >= 8 ? above : Math.max(8, H - h - 8);
    return { left: `${Math.min(Math.max(8, x - w / 2), W - w - 8)}px`, top: `${top}px`, maxHeight: `${Math.min(h, H - 16)}px` };
  };
  const addMenu = adding && (
    <div
      class="menu flow-add-menu"
      role="menu"
      aria-label="Kinds of step"
      style={menuPos()}
      onKeyDown={(e) => {
        if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
        e.preventDefault();
        const items = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLButtonElement>(".menu-item")];
        const i = items.indexOf(document.activeElement as HTMLButtonElement);
        items[(i + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
      }}
    >
      {NODE_TYPES.filter((t) => adding.end || t.type !== "exit").map((t) => (
        <button
          key={t.type}
          type="button"
          role="menuitem"
          class="menu-item flow-add-item"
          onClick={() => {
            setAdding(null);
            props.onAdd(adding.at, t.type);
          }}
        >
          <span class={cx("flow-add-icon", `tone-${toneClass(t.tone)}`)}>
            <FlowIcon name={NODE_ICONS[t.type]} size={15} />
          </span>
          <span class="flow-add-text">
            <span class="seg-add-label">{t.label}</span>
            <span class="seg-add-hint">{t.hint}</span>
          </span>
        </button>
      ))}
    </div>
  );

  const triggerProblems = problems.get("trigger");
  return (
    <div
      ref={box}
      class={cx("flow-canvas", dragging && "is-dragging", path && "has-path")}
      style={{ backgroundSize: `${20 * view.k}px ${20 * view.k}px`, backgroundPosition: `${view.x}px ${view.y}px` }}
      data-testid="flow-canvas"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
    >
      <div class="flow-world" style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.k})` }}>
        <svg class="flow-edges" width="1" height="1" aria-hidden="true">
          <defs>
            <marker id="flow-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 1 L 9 5 L 0 9 z" class="flow-arrow" />
            </marker>
            <marker id="flow-arrow-on" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 1 L 9 5 L 0 9 z" class="flow-arrow is-on" />
            </marker>
          </defs>
          {edgeEls}
        </svg>

        <div
          class={cx("flow-node flow-trigger", selected === "trigger" && "is-selected", triggerProblems && "has-problem", path && "is-visited")}
          style={{ left: `${scene.trigger.x}px`, top: `${Y(scene.trigger.y)}px`, width: `${CARD_W}px`, height: `${triggerH}px` }}
          role="button"
          tabIndex={0}
          aria-pressed={selected === "trigger"}
          data-node="trigger"
          onClick={() => onSelect("trigger")}
          onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), onSelect("trigger"))}
        >
          <div class="flow-node-head">
            <span class="flow-node-icon tone-blue">
              <FlowIcon name="play" size={14} />
            </span>
            <span class="flow-node-title">Trigger</span>
          </div>
          <div class="flow-node-text" title={triggerWords(def.trigger, props.names)}>
            {triggerWords(def.trigger, props.names)}
          </div>
          {triggerProblems && <NodeProblem text={triggerProblems.join("; ")} />}
        </div>

        {Object.entries(def.nodes).map(([id, node]) => {
          const p = scene.nodes[id];
          if (!p) return null;
          const visits = path?.nodes.get(id);
          return (
            <NodeCard
              key={id}
              id={id}
              node={node}
              def={def}
              names={props.names}
              x={p.x}
              y={Y(p.y)}
              h={heightOf(id)}
              selected={selected === id}
              problems={problems.get(id)}
              figures={figures ? (figures[id] ?? EMPTY) : null}
              currency={props.currency}
              visits={visits}
              dimmed={Boolean(path) && !visits}
              ended={path?.endedAt === id ? path.endedLabel : null}
              onSelect={() => onSelect(id)}
              onRemove={props.onRemove ? () => props.onRemove!(id) : undefined}
            />
          );
        })}

        {labelEls}
        {plusEls}

        {scene.slots.map((s) => {
          const at = { from: s.from, port: s.port };
          const open = adding?.at.from === s.from && adding.at.port === s.port;
          const first = s.from === TRIGGER;
          return (
            <div key={s.id} class="flow-slot-wrap" style={{ left: `${s.x}px`, top: `${Y(s.y)}px`, width: `${CARD_W}px` }}>
              <button
                type="button"
                class={cx("flow-slot", open && "is-open", first && "is-first")}
                aria-label={first ? "Add the first step" : `Add a step ${describeLink(scene.edges.find((e) => e.to === s.id)!, def)}`}
                onClick={() => setAdding({ at, x: s.x + CARD_W / 2, y: Y(s.y) + SLOT + 6, end: true })}
              >
                <Icon name="plus" size={first ? 16 : 14} />
                {first && <span>Add the first step</span>}
              </button>
              {!first && <span class="flow-slot-end">End</span>}
            </div>
          );
        })}
      </div>

      {addMenu}

      <div class="flow-zoom" role="group" aria-label="Zoom">
        <button type="button" class="icon-btn" aria-label="Zoom in" title="Zoom in" onClick={() => zoomAt(1.2)}>
          <Icon name="plus" size={16} />
        </button>
        <span class="flow-zoom-value" aria-live="polite">
          {Math.round(view.k * 100)}%
        </span>
        <button type="button" class="icon-btn" aria-label="Zoom out" title="Zoom out" onClick={() => zoomAt(1 / 1.2)}>
          <FlowIcon name="minus" size={16} />
        </button>
        <span class="flow-zoom-sep" />
        <button type="button" class="icon-btn" aria-label="Fit to screen" title="Fit to screen" onClick={() => fit()}>
          <FlowIcon name="fit" size={16} />
        </button>
      </div>
      <p class="flow-canvas-hint">{stacked.matches ? "Drag to move · Ctrl + scroll or pinch to zoom" : "Drag to move · scroll or pinch to zoom"}</p>
    </div>
  );
}

const EMPTY: NodeFigures = { entered: 0, waiting: 0, exited: 0, sent: 0, opened: 0, clicked: 0, conversions: 0, revenue: 0 };

const toneClass = (t: string) => (t === "red" ? "amber" : t);

/** A path down from the port, across, and down into the target, with rounded corners. */
function orthogonal(sx: number, sy: number, tx: number, ty: number, my: number): string {
  if (Math.abs(tx - sx) < 1) return `M ${sx} ${sy} V ${ty}`;
  const dir = tx > sx ? 1 : -1;
  const r = Math.min(10, Math.abs(tx - sx) / 2, my - sy, ty - my);
  return `M ${sx} ${sy} V ${my - r} Q ${sx} ${my} ${sx + dir * r} ${my} H ${tx - dir * r} Q ${tx} ${my} ${tx} ${my + r} V ${ty}`;
}

function describeLink(e: Edge, def: FlowDefinition): string {
  if (e.from === TRIGGER) return "before the first step";
  const node = def.nodes[e.from]!;
  const what = `${nodeTypeDef(node.type).label.toLowerCase()} ${e.from}`;
  return e.label ? `on the ${e.label.replace(/ · .*/, "")} branch of ${what}` : `after ${what}`;
}

function EdgeLabel({ x, y, edge }: { x: number; y: number; edge: Edge }) {
  return (
    <span class={cx("flow-edge-label", edge.tone && `is-${edge.tone}`, !edge.tone && "is-split")} style={{ left: `${x}px`, top: `${y}px` }}>
      {edge.label}
    </span>
  );
}

function NodeProblem({ text }: { text: string }) {
  return (
    <div class="flow-node-problem" title={text}>
      <Icon name="alert" size={13} />
      <span>{text}</span>
    </div>
  );
}

function NodeCard(p: {
  id: string;
  node: FlowNode;
  def: FlowDefinition;
  names: Names;
  x: number;
  y: number;
  h: number;
  selected: boolean;
  problems: string[] | undefined;
  figures: NodeFigures | null;
  currency: string;
  visits: number[] | undefined;
  dimmed: boolean;
  ended: string | null;
  onSelect: () => void;
  onRemove?: () => void;
}) {
  const t = nodeTypeDef(p.node.type);
  const words = nodeWords(p.node, p.def, p.names);
  return (
    <div
      class={cx("flow-node", `is-${p.node.type}`, p.selected && "is-selected", p.problems && "has-problem", p.visits && "is-visited", p.dimmed && "is-dimmed")}
      style={{ left: `${p.x}px`, top: `${p.y}px`, width: `${CARD_W}px`, height: `${p.h}px` }}
      role="button"
      tabIndex={0}
      aria-pressed={p.selected}
      aria-label={`${t.label}: ${words}`}
      data-node={p.id}
      onClick={p.onSelect}
      onKeyDown={(e) => {
        if (e.key === "Enter" || e.key === " ") (e.preventDefault(), p.onSelect());
        else if ((e.key === "Delete" || e.key === "Backspace") && p.onRemove) (e.preventDefault(), p.onRemove());
      }}
    >
      <div class="flow-node-head">
        <span class={cx("flow-node-icon", `tone-${toneClass(t.tone)}`)}>
          <FlowIcon name={NODE_ICONS[p.node.type]} size={14} />
        </span>
        <span class="flow-node-title">{t.label}</span>
        <span class="flow-node-id" title="Step id: problems and reports name steps by it">
          {p.id}
        </span>
      </div>
      <div class="flow-node-text" title={words}>
        {words}
      </div>
      {p.figures && <Figures node={p.node} f={p.figures} currency={p.currency} />}
      {p.problems && <NodeProblem text={p.problems.join("; ")} />}
      {p.visits && (
        <span class="flow-visit" title={`Step ${p.visits.join(", ")} of the simulated path`}>
          {p.visits.slice(0, 2).join(",")}
          {p.visits.length > 2 ? "…" : ""}
        </span>
      )}
      {p.ended && <span class="flow-ended">{p.ended}</span>}
    </div>
  );
}

const pct = (n: number, of: number) => (of && n ? `${Math.round((n / of) * 100)}%` : "");

function Figures({ node, f, currency }: { node: FlowNode; f: NodeFigures; currency: string }) {
  const items: [string, number, string?][] = [];
  if (node.type === "send") {
    items.push(["sent", f.sent], ["opened", f.opened, pct(f.opened, f.sent)], ["clicked", f.clicked, pct(f.clicked, f.sent)], ["converted", f.conversions, f.revenue ? formatMoney(f.revenue, currency, { whole: true }) : undefined]);
  } else {
    items.push(["entered", f.entered]);
    if (node.type === "delay" || node.type === "wait_until" || node.type === "wait_event") items.push(["waiting now", f.waiting]);
    if (node.type !== "exit" || f.exited) items.push(["exited", f.exited]);
  }
  if (node.type === "send" && f.waiting) items.push(["waiting", f.waiting]);
  return (
    <dl class="flow-node-figures" data-testid="node-figures">
      {items.map(([label, n, extra]) => (
        <div key={label} data-figure={label}>
          <dt>{label}</dt>
          <dd>
            {formatNumber(n)}
            {extra && <span>{extra}</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}
