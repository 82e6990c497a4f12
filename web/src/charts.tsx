/**
 * Charts drawn as SVG at the container's real pixel size (crisp text and lines at any width): daily time series
 * with axes, a legend that hides and shows series, and a tooltip for the day under the pointer; and sparklines.
 * No library: these two shapes are all the admin needs, in about as much code as a library's setup.
 */
import type { ComponentChildren, JSX } from "preact";
import { useId, useLayoutEffect, useRef, useState } from "preact/hooks";
import { formatNumber, formatUtcDay } from "./format";
import { cx } from "./ui";

export interface Series {
  key: string;
  label: string;
  /** any CSS colour, e.g. "var(--chart-1)" */
  color: string;
  kind: "line" | "area" | "bar";
  /** one value per day; null leaves a gap (lines join across it) */
  values: (number | null)[];
  /** the right axis has its own scale and format (e.g. rates next to counts) */
  axis?: "left" | "right";
  /** bars with the same stack id are stacked; negative values stack downwards */
  stack?: string;
  dashed?: boolean;
  /** how the tooltip shows a value (default: the axis format) */
  display?: (v: number) => string;
}

interface TimeChartProps {
  /** UTC days as YYYY-MM-DD, one per value */
  days: string[];
  series: Series[];
  /** what the chart shows, for screen readers */
  label: string;
  height?: number;
  format?: (v: number) => string;
  formatRight?: (v: number) => string;
  /** counts (the default) never get fractional ticks */
  integer?: boolean;
  /** shown over an empty plot */
  empty?: ComponentChildren;
  legend?: boolean;
  /** extra lines in the tooltip for day i */
  tooltipExtra?: (i: number) => ComponentChildren;
  /** other buckets than UTC days (e.g. hours): how to label key i on the axis and in the tooltip */
  bucketLabel?: { tick: (i: number) => string; full: (i: number) => string };
}

const fullDayFmt = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** A round step (1, 2, 2.5, 5 × 10ⁿ) giving about `count` intervals over `range`. */
function niceStep(range: number, count: number, integer: boolean): number {
  const raw = range / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  let step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
  if (integer) step = Math.max(1, Math.ceil(step));
  return step;
}

/** Axis ticks covering [min, max] (always including 0). An all-zero axis still gets a few ticks. */
export function niceTicks(min: number, max: number, integer = true, count = 4): number[] {
  let lo = Math.min(0, min);
  let hi = Math.max(0, max);
  if (hi - lo <= 0) hi = integer ? 4 : 1;
  if (integer && hi - lo < count) hi = lo + count;
  const step = niceStep(hi - lo, count, integer);
  lo = Math.floor(lo / step + 1e-9) * step;
  hi = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step / 1e6; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return ticks;
}

/** Measures an element's width, and again whenever it changes. */
function useWidth<T extends HTMLElement>(): [{ current: T | null }, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.getBoundingClientRect().width);
    const ro = new ResizeObserver((entries) => setWidth(entries[0]!.contentRect.width));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

const textWidth = (s: string) => s.length * 6.6 + 10;

export function TimeChart({ days, series, label, height = 200, format = formatNumber, formatRight = formatNumber, integer = true, empty, legend = true, tooltipExtra, bucketLabel }: TimeChartProps) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [hover, setHover] = useState<{ i: number; x: number; y: number } | null>(null);
  const gradientId = useId();
  const shown = series.filter((s) => !hidden.has(s.key));
  const n = days.length;

  // Extents per axis: stacked bars add up per day (positives up, negatives down).
  const extent = (axis: "left" | "right") => {
    let min = 0;
    let max = 0;
    const mine = shown.filter((s) => (s.axis ?? "left") === axis);
    const stacks = new Map<string, Series[]>();
    for (const s of mine) {
      if (s.kind === "bar") {
        const id = s.stack ?? s.key;
        stacks.set(id, [...(stacks.get(id) ?? []), s]);
      } else for (const v of s.values) if (v !== null) (min = Math.min(min, v)), (max = Math.max(max, v));
    }
    for (const group of stacks.values())
      for (let i = 0; i < n; i++) {
        let up = 0;
        let down = 0;
        for (const s of group) {
          const v = s.values[i] ?? 0;
          if (v > 0) up += v;
          else down += v;
        }
        max = Math.max(max, up);
        min = Math.min(min, down);
      }
    return { min, max, any: mine.length > 0 };
  };
  const left = extent("left");
  const right = extent("right");
  const leftTicks = niceTicks(left.min, left.max, integer);
  const rightTicks = right.any ? niceTicks(right.min, right.max, integer) : [];

  const top = 10;
  const bottom = 26;
  const padL = Math.max(28, ...leftTicks.map((t) => textWidth(format(t))));
  const padR = right.any ? Math.max(28, ...rightTicks.map((t) => textWidth(formatRight(t)))) : 8;
  const plotW = Math.max(0, width - padL - padR);
  const plotH = height;
  const step = n ? plotW / n : 0;
  const cx_ = (i: number) => padL + step * (i + 0.5);
  const yScale = (ticks: number[]) => {
    const lo = ticks[0]!;
    const hi = ticks[ticks.length - 1]!;
    return (v: number) => top + plotH - ((v - lo) / (hi - lo || 1)) * plotH;
  };
  const yL = yScale(leftTicks);
  const yR = right.any ? yScale(rightTicks) : yL;
  const yOf = (s: Series) => ((s.axis ?? "left") === "right" ? yR : yL);

  // Bars: each stack gets a slot in the day's band.
  const stackIds = [...new Set(shown.filter((s) => s.kind === "bar").map((s) => s.stack ?? s.key))];
  const band = Math.min(step * 0.72, 34 * Math.max(1, stackIds.length));
  const barW = stackIds.length ? Math.max(1, band / stackIds.length - (stackIds.length > 1 ? 1 : 0)) : 0;
  const bars: JSX.Element[] = [];
  stackIds.forEach((id, slot) => {
    const group = shown.filter((s) => s.kind === "bar" && (s.stack ?? s.key) === id);
    const y = yOf(group[0]!);
    for (let i = 0; i < n; i++) {
      let up = 0;
      let down = 0;
      const x = cx_(i) - band / 2 + slot * (band / stackIds.length);
      for (const s of group) {
        const v = s.values[i] ?? 0;
        if (!v) continue;
        const from = v > 0 ? up : down;
        const to = from + v;
        if (v > 0) up = to;
        else down = to;
        const y1 = y(Math.max(from, to));
        const h = Math.max(1, Math.abs(y(from) - y(to)));
        bars.push(<rect key={`${s.key}-${i}`} x={x} y={y1} width={barW} height={h} rx={Math.min(2, barW / 3)} style={{ fill: s.color }} class="chart-bar-rect" />);
      }
    }
  });

  const path = (s: Series) => {
    const y = yOf(s);
    const pts = s.values.map((v, i) => (v === null ? null : [cx_(i), y(v)] as const)).filter((p): p is readonly [number, number] => p !== null);
    return pts.map((p, i) => `${i ? "L" : "M"}${p[0].toFixed(1)},${p[1].toFixed(1)}`).join("");
  };
  const areaPath = (s: Series) => {
    const y = yOf(s);
    const idx = s.values.map((v, i) => (v === null ? -1 : i)).filter((i) => i >= 0);
    if (!idx.length) return "";
    const base = y(Math.max(0, (s.axis === "right" ? rightTicks : leftTicks)[0]!));
    return `${path(s)}L${cx_(idx[idx.length - 1]!).toFixed(1)},${base.toFixed(1)}L${cx_(idx[0]!).toFixed(1)},${base.toFixed(1)}Z`;
  };

  // X labels: about one per 70px, always including the last day.
  const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plotW / 70))));
  const xLabels = days.map((d, i) => ((n - 1 - i) % every === 0 ? i : -1)).filter((i) => i >= 0);

  const onMove = (e: PointerEvent) => {
    const box = (e.currentTarget as SVGElement).getBoundingClientRect();
    const x = e.clientX - box.left;
    const i = Math.floor((x - padL) / (step || 1));
    if (i < 0 || i >= n) return setHover(null);
    setHover({ i, x, y: e.clientY - box.top });
  };

  const noData = series.every((s) => s.values.every((v) => !v));
  const svgH = top + plotH + bottom;
  const showDots = n <= 16;

  return (
    <div class="tchart">
      {legend && (
        <div class="chart-legend">
          {series.map((s) => (
            <button
              key={s.key}
              type="button"
              class={cx("legend-item", hidden.has(s.key) && "is-off")}
              aria-pressed={!hidden.has(s.key)}
              title={hidden.has(s.key) ? `Show ${s.label}` : `Hide ${s.label}`}
              onClick={() => {
                const next = new Set(hidden);
                if (next.has(s.key)) next.delete(s.key);
                else if (series.length - next.size > 1) next.add(s.key);
                setHidden(next);
              }}
            >
              <span class={cx("legend-swatch", s.kind !== "bar" && "is-line", s.dashed && "is-dashed")} style={{ color: s.color }} />
              {s.label}
            </button>
          ))}
        </div>
      )}
      <div class="tchart-plot" ref={ref} style={{ height: `${svgH}px` }}>
        {width > 0 && (
          <svg width={width} height={svgH} role="img" aria-label={label} onPointerMove={onMove} onPointerLeave={() => setHover(null)}>
            <defs>
              {shown
                .filter((s) => s.kind === "area")
                .map((s) => (
                  <linearGradient key={s.key} id={`${gradientId}-${s.key}`} x1="0" x2="0" y1="0" y2="1">
                    <stop offset="0%" style={{ stopColor: s.color, stopOpacity: 0.22 }} />
                    <stop offset="100%" style={{ stopColor: s.color, stopOpacity: 0.02 }} />
                  </linearGradient>
                ))}
            </defs>
            {leftTicks.map((t) => (
              <g key={`l${t}`}>
                <line x1={padL} x2={padL + plotW} y1={Math.round(yL(t)) + 0.5} y2={Math.round(yL(t)) + 0.5} class={t === 0 ? "chart-axis" : "chart-grid"} />
                <text x={padL - 8} y={yL(t)} class="chart-tick" text-anchor="end" dominant-baseline="middle">
                  {format(t)}
                </text>
              </g>
            ))}
            {rightTicks.map((t) => (
              <text key={`r${t}`} x={padL + plotW + 8} y={yR(t)} class="chart-tick" text-anchor="start" dominant-baseline="middle">
                {formatRight(t)}
              </text>
            ))}
            {xLabels.map((i) => {
              const text = bucketLabel ? bucketLabel.tick(i) : formatUtcDay(dayMs(days[i]!));
              // Centred under its day, but never past the chart's edges.
              const half = text.length * 3.3;
              const x = Math.max(half, Math.min(width - half, cx_(i)));
              return (
                <text key={`x${i}`} x={x} y={top + plotH + 18} class="chart-tick" text-anchor="middle">
                  {text}
                </text>
              );
            })}
            {hover && <rect x={padL + step * hover.i} y={top} width={step} height={plotH} class="chart-hover-band" />}
            {bars}
            {shown
              .filter((s) => s.kind === "area")
              .map((s) => (
                <path key={`a${s.key}`} d={areaPath(s)} style={{ fill: `url(#${gradientId}-${s.key})` }} />
              ))}
            {shown
              .filter((s) => s.kind !== "bar")
              .map((s) => (
                <path key={`p${s.key}`} d={path(s)} class="chart-line" style={{ stroke: s.color }} stroke-dasharray={s.dashed ? "5 4" : undefined} />
              ))}
            {shown
              .filter((s) => s.kind !== "bar")
              .flatMap((s) =>
                s.values.map((v, i) =>
                  v !== null && (hover?.i === i || (showDots && n > 1)) ? (
                    <circle key={`d${s.key}${i}`} cx={cx_(i)} cy={yOf(s)(v)} r={hover?.i === i ? 4 : 2.5} class="chart-dot" style={{ stroke: s.color, fill: hover?.i === i ? s.color : "var(--surface)" }} />
                  ) : null,
                ),
              )}
          </svg>
        )}
        {noData && empty && <div class="chart-empty-note">{empty}</div>}
        {hover && width > 0 && (
          <div class={cx("chart-tooltip", hover.x > width / 2 && "is-left")} style={{ left: `${hover.x > width / 2 ? hover.x - 12 : hover.x + 12}px`, top: `${Math.max(0, Math.min(hover.y - 20, svgH - 60))}px` }} role="presentation">
            <div class="chart-tooltip-day">{bucketLabel ? bucketLabel.full(hover.i) : fullDayFmt.format(dayMs(days[hover.i]!))}</div>
            {shown.map((s) => {
              const v = s.values[hover.i];
              const fmt = s.display ?? ((s.axis ?? "left") === "right" ? formatRight : format);
              return (
                <div key={s.key} class="chart-tooltip-row">
                  <span class={cx("legend-swatch", s.kind !== "bar" && "is-line")} style={{ color: s.color }} />
                  <span class="chart-tooltip-label">{s.label}</span>
                  <strong>{v === null || v === undefined ? "—" : fmt(v)}</strong>
                </div>
              );
            })}
            {tooltipExtra?.(hover.i)}
          </div>
        )}
      </div>
    </div>
  );
}

/** A small trend line without axes, e.g. a segment's size over the last weeks. */
export function Sparkline({ values, width = 96, height = 28, color = "var(--chart-1)", label }: { values: number[]; width?: number; height?: number; color?: string; label: string }) {
  const id = useId();
  if (values.length < 2) return null;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = 2;
  const x = (i: number) => pad + (i / (values.length - 1)) * (width - pad * 2);
  const y = (v: number) => (max === min ? height / 2 : pad + (1 - (v - min) / (max - min)) * (height - pad * 2));
  const line = values.map((v, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join("");
  const last = values[values.length - 1]!;
  return (
    <svg class="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <title>{label}</title>
      <defs>
        <linearGradient id={id} x1="0" x2="0" y1="0" y2="1">
          <stop offset="0%" style={{ stopColor: color, stopOpacity: 0.2 }} />
          <stop offset="100%" style={{ stopColor: color, stopOpacity: 0 }} />
        </linearGradient>
      </defs>
      <path d={`${line}L${x(values.length - 1).toFixed(1)},${height}L${x(0).toFixed(1)},${height}Z`} style={{ fill: `url(#${id})` }} />
      <path d={line} class="sparkline-line" style={{ stroke: color }} />
      <circle cx={x(values.length - 1)} cy={y(last)} r="2.5" style={{ fill: color }} />
    </svg>
  );
}
