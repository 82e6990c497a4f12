/**
 * CPU time of processes, from /proc (Linux only; elsewhere null). Wall-clock throughput on a shared 2-core
 * machine moves with whatever else runs; the CPU seconds workerd spends per request hardly do, so figures
 * report them beside the rates to tell a slow Worker from a busy machine.
 */
import { readFileSync, readdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";

const TICK_MS = 10; // USER_HZ is 100 on every Linux this runs on

function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    const fields = text.slice(close + 2).split(" "); // fields[0] is field 3 (state)
    return { comm: text.slice(text.indexOf("(") + 1, close), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** Pids of this process's children named `comm` (e.g. the workerd Miniflare spawned). */
export function childPids(comm) {
  let entries;
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  return entries.filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => {
    const s = stat(pid);
    return s && s.ppid === process.pid && s.comm === comm;
  });
}

/** CPU milliseconds (user + system) a process has used so far, or null when it cannot be read. */
export function cpuMs(pid) {
  const s = pid ? stat(pid) : null;
  return s ? s.ticks * TICK_MS : null;
}

/** The 1-minute load average per core, to warn when other processes compete for the CPU. */
export const loadPerCore = () => loadavg()[0] / cpus().length;

/**
 * A figure's note on the machine: its cores and the load average per core at the figure's start and end, and
 * whether other processes competed (above 75%): wall-clock figures then read slower than on an idle machine.
 */
export function machineNote(load) {
  const shares = load.map((l) => `${(l * 100).toFixed(0)}%`).join(" → ");
  return Math.max(...load) > 0.75
    ? `${cpus().length} cores, load average ${shares} of them: other processes competed for the CPU, wall-clock times are slower than on an idle machine`
    : `${cpus().length} cores, load average ${shares} of them`;
}

/** CPU milliseconds per thread of a process ({ tid: { comm, ms } }), to tell apart what runs on which thread. */
export function threadCpuMs(pid) {
  const out = {};
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    const s = stat(`${pid}/task/${tid}`);
    if (s) out[tid] = { comm: s.comm, ms: s.ticks * TICK_MS };
  }
  return out;
}
