/** Prints a figure: both sides' absolute rates, latencies and CPU cost, the ratio, the checks, PASS/FAIL. */
import { percentile } from "./load.mjs";

const fmt = (n, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "n/a";

/** A side's rate in the figure's unit: operations/s × units per operation. */
export const rate = (side, perSecond = side.perSecond) => perSecond * (side.perOp ?? 1);

/**
 * The figure's ratio is the median over paired rounds (each candidate round against the baseline round run
 * right next to it), which a burst of load from another process moves far less than the ratio of totals.
 * Returns the lines to print and whether the figure passed (ratio at target and every check true).
 */
export function describe(figure, result) {
  const { candidate: c, baseline: b } = result;
  const pairs = c.rounds.map((x, i) => rate(c, x) / rate(b, b.rounds[i])).sort((x, y) => x - y);
  const ratio = percentile(pairs, 0.5);
  const overall = rate(c) / rate(b);
  const checksOk = result.checks.every((k) => k.ok);
  const pass = ratio >= figure.target && checksOk;
  const width = Math.max(c.label.length, b.label.length);
  const row = (s) =>
    `  ${s.label.padEnd(width)}  ${fmt(rate(s)).padStart(7)} ${result.unit}  p50 ${fmt(s.p50, 1).padStart(6)} ms  p95 ${fmt(s.p95, 1).padStart(6)} ms` +
    `  workerd CPU ${fmt(s.cpuMsPerOp, 1).padStart(5)} ms/op  (${s.count} ops in ${fmt(s.ms / 1000, 1)} s)`;
  const lines = [
    `${figure.name}: ${figure.title}`,
    row(c),
    row(b),
    `  ratio ${fmt(ratio, 2)}: median of ${pairs.length} paired rounds (quartiles ${fmt(percentile(pairs, 0.25), 2)}–${fmt(percentile(pairs, 0.75), 2)}); ` +
      `ratio of totals ${fmt(overall, 2)}${c.cpuMsPerOp && b.cpuMsPerOp ? `; CPU ratio ${fmt(b.cpuMsPerOp / c.cpuMsPerOp, 2)}` : ""}`,
    ...(result.notes ?? []).map((n) => `  note: ${n}`),
    ...result.checks.map((k) => `  check ${k.ok ? "ok  " : "FAIL"} ${k.label}: ${k.detail}`),
    `  ${pass ? "PASS" : "FAIL"} ${figure.name}: ratio ${fmt(ratio, 2)} ${ratio >= figure.target ? "≥" : "<"} ${figure.target}${checksOk ? "" : ", checks failed"}`,
  ];
  return { lines, pass, ratio };
}
