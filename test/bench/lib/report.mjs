/**
 * Prints a figure: every side's absolute rate, latencies and CPU cost, the ratio against the baseline, the
 * notes and checks, PASS/FAIL.
 *
 * A result has one `candidate` or several `candidates` (each judged against the target, e.g. pixel and click
 * requests), optional `extra` sides (measured in the same rounds and printed with their ratio, not judged),
 * and one `baseline`. A figure says which way is better: `better: "higher"` (default; a rate ratio,
 * candidate / baseline, must be ≥ target) or `better: "lower"` (a time ratio, candidate time / baseline time,
 * must be ≤ target). A figure may instead (or also) be judged by absolute `limits` (see below), with
 * `target: null` when its ratio is printed but not judged.
 */
import { percentile } from "./load.mjs";

const fmt = (n, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "n/a";

/** A side's rate in the figure's unit: operations/s × units per operation. */
export const rate = (side, perSecond = side.perSecond) => perSecond * (side.perOp ?? 1);

/**
 * A side's ratio is the median over paired rounds (each candidate round against the baseline round run right
 * next to it), which a burst of load from another process moves far less than the ratio of totals.
 */
function ratioOf(c, b, lower) {
  const pairs = c.rounds.map((x, i) => (lower ? rate(b, b.rounds[i]) / rate(c, x) : rate(c, x) / rate(b, b.rounds[i]))).sort((x, y) => x - y);
  const overall = lower ? rate(b) / rate(c) : rate(c) / rate(b);
  return { ratio: percentile(pairs, 0.5), q1: percentile(pairs, 0.25), q3: percentile(pairs, 0.75), n: pairs.length, overall };
}

/**
 * An absolute limit a figure is judged by (e.g. "count p50 through the API < 250 ms"): `{ label, value, target,
 * unit, digits?, better? }`, `better: "lower"` (default) meaning value < target passes.
 */
const limitOk = (l) => ((l.better ?? "lower") === "lower" ? l.value < l.target : l.value > l.target);
const limitLine = (l) =>
  `  ${l.label}: ${fmt(l.value, l.digits ?? 0)} ${l.unit}  ${limitOk(l) ? "ok" : "MISSED"} (target ${(l.better ?? "lower") === "lower" ? "<" : ">"} ${fmt(l.target, l.digits ?? 0)} ${l.unit})`;

/**
 * Returns the lines to print, whether the figure passed, its (worst judged) ratio and a one-line summary.
 * A figure without a baseline (or with `target: null`) is judged by its `limits` and checks alone; `lines` are
 * printed as they are, after the sides (tables, query plans).
 */
export function describe(figure, result) {
  const lower = figure.better === "lower";
  const word = lower ? "time ratio" : "ratio";
  const cmp = lower ? "≤" : "≥";
  const ratioJudged = figure.target != null;
  const meets = (r) => !ratioJudged || (lower ? r <= figure.target : r >= figure.target);
  const b = result.baseline;
  const judged = b ? (result.candidates ?? [result.candidate]).map((c) => ({ side: c, judged: ratioJudged, ...ratioOf(c, b, lower) })) : [];
  const extra = b ? (result.extra ?? []).map((c) => ({ side: c, judged: false, ...ratioOf(c, b, lower) })) : [];
  const limits = result.limits ?? [];
  const checksOk = result.checks.every((k) => k.ok);
  const pass = judged.every((j) => meets(j.ratio)) && limits.every(limitOk) && checksOk;
  const worst = judged.reduce((w, j) => (lower ? Math.max(w, j.ratio) : Math.min(w, j.ratio)), lower ? -Infinity : Infinity);

  const sides = b ? [...judged.map((j) => j.side), ...extra.map((j) => j.side), b] : [];
  const width = Math.max(0, ...sides.map((s) => s.label.length));
  const row = (s) =>
    `  ${s.label.padEnd(width)}  ${fmt(rate(s)).padStart(7)} ${result.unit}` +
    (lower ? `  ${fmt(s.ms / s.count / (s.perOp ?? 1), 3).padStart(7)} ms/${result.per ?? "op"}` : "") +
    `  p50 ${fmt(s.p50, lower ? 3 : 1).padStart(6)} ms  p95 ${fmt(s.p95, lower ? 3 : 1).padStart(6)} ms` +
    (s.cpuMsPerOp != null ? `  workerd CPU ${fmt(s.cpuMsPerOp, 2).padStart(5)} ms/op` : "") +
    `  (${s.count} ops in ${fmt(s.ms / 1000, 1)} s)`;
  const ratioLine = (j) =>
    `  ${j.judged ? "" : "(not judged) "}${word} ${j.side.label}: ${fmt(j.ratio, 2)}, median of ${j.n} paired rounds (quartiles ${fmt(j.q1, 2)}–${fmt(j.q3, 2)}); ` +
    `of totals ${fmt(j.overall, 2)}` +
    (j.side.cpuMsPerOp && b.cpuMsPerOp ? `; workerd CPU ratio ${fmt(lower ? j.side.cpuMsPerOp / b.cpuMsPerOp : b.cpuMsPerOp / j.side.cpuMsPerOp, 2)}` : "") +
    (j.judged ? `  ${meets(j.ratio) ? "ok" : "MISSED"} (target ${cmp} ${figure.target})` : "");
  const short = [
    ...(ratioJudged ? judged.map((j) => `${word} ${judged.length > 1 ? `${j.side.short ?? j.side.label} ` : ""}${fmt(j.ratio, 2)}`) : []),
    ...limits.map((l) => `${l.short ?? l.label} ${fmt(l.value, l.digits ?? 0)} ${l.unit} (${(l.better ?? "lower") === "lower" ? "<" : ">"} ${fmt(l.target, l.digits ?? 0)})`),
    ...(!ratioJudged && judged.length ? [`${word} ${judged.map((j) => fmt(j.ratio, 2)).join("/")} (not judged)`] : []),
  ].join(", ");
  const targetText = ratioJudged ? ` (target ${cmp} ${figure.target})` : "";
  const lines = [
    `${figure.name}: ${figure.title}`,
    ...sides.map(row),
    ...judged.map(ratioLine),
    ...extra.map(ratioLine),
    ...(result.lines ?? []).map((l) => `  ${l}`),
    ...limits.map(limitLine),
    ...(result.notes ?? []).map((n) => `  note: ${n}`),
    ...result.checks.map((k) => `  check ${k.ok ? "ok  " : "FAIL"} ${k.label}: ${k.detail}`),
    `  ${pass ? "PASS" : "FAIL"} ${figure.name}: ${short}${targetText}${checksOk ? "" : ", checks failed"}`,
  ];
  return { lines, pass, ratio: worst, summary: `${short}${targetText}` };
}
