/** Prints a figure: both sides' absolute rates and latencies, the ratio, the checks, and PASS/FAIL. */

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "n/a");
const pad = (s, n) => String(s).padEnd(n);
const padStart = (s, n) => String(s).padStart(n);

/** A side's rate in the figure's unit: operations/s × units per operation. */
export const rate = (side) => side.perSecond * (side.perOp ?? 1);

/** Returns the lines to print and whether the figure passed (ratio at target and every check true). */
export function describe(figure, result) {
  const cand = rate(result.candidate);
  const base = rate(result.baseline);
  const ratio = cand / base;
  const checksOk = result.checks.every((c) => c.ok);
  const pass = ratio >= figure.target && checksOk;
  const row = (s, r) =>
    `  ${pad(s.label, 34)} ${padStart(fmt(r), 9)} ${result.unit}   p50 ${padStart(fmt(s.p50, 1), 7)} ms   p95 ${padStart(fmt(s.p95, 1), 7)} ms   ` +
    `(${s.count} ops in ${fmt(s.ms / 1000, 2)} s; per round ${s.rounds.map((x) => fmt(x * (s.perOp ?? 1))).join(", ")})`;
  const rounds = result.candidate.rounds.map((c, i) => (c * (result.candidate.perOp ?? 1)) / (result.baseline.rounds[i] * (result.baseline.perOp ?? 1)));
  const lines = [
    `${figure.name}: ${figure.title}`,
    row(result.candidate, cand),
    row(result.baseline, base),
    `  ratio ${fmt(ratio, 3)} (per round ${rounds.map((x) => fmt(x, 2)).join(", ")}), target ≥ ${figure.target}`,
    ...(result.notes ?? []).map((n) => `  note: ${n}`),
    ...result.checks.map((c) => `  check ${c.ok ? "ok  " : "FAIL"} ${c.label}: ${c.detail}`),
    `  ${pass ? "PASS" : "FAIL"} ${figure.name}: ratio ${fmt(ratio, 2)} ${ratio >= figure.target ? "≥" : "<"} ${figure.target}${checksOk ? "" : ", checks failed"}`,
  ];
  return { lines, pass, ratio };
}
