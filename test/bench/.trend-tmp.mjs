import { startTern, cleanup } from "/work/main/test/bench/lib/harness.mjs";
import { drive, summarize, postJson } from "/work/main/test/bench/lib/load.mjs";
import { segmentTraffic, eventValue } from "/work/main/test/bench/lib/segment.mjs";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
const HEAD = "INSERT OR IGNORE INTO events (contact_id, type, name, properties, value, occurred_at, received_at, source, message_id, context)";
const script = `const HEAD=${JSON.stringify(HEAD)};const ROW="("+Array(10).fill("?").join(",")+")";
export default{async fetch(r,env){const rows=await r.json();const s=[];for(let i=0;i<rows.length;i+=10){const p=rows.slice(i,i+10);s.push(env.DB.prepare(HEAD+" VALUES "+Array(p.length).fill(ROW).join(",")).bind(...p.flat()))}await env.DB.batch(s);return Response.json({success:true})}}`;
try {
  const t = await startTern({ extraWorkers: [{ name: "b", modules: true, script, compatibilityDate: "2026-04-01", routes: ["*/__bench/*"] }] });
  const tr = segmentTraffic({ seed: 1 });
  const sizes = (dir) => { const out = []; const walk = (d) => { for (const f of readdirSync(d, { withFileTypes: true })) { const p = path.join(d, f.name); if (f.isDirectory()) walk(p); else if (p.includes("d1")) out.push(`${f.name.slice(-12)}=${(statSync(p).size / 1e6).toFixed(1)}MB`); } }; walk(dir); return out.join(" "); };
  for (let r = 0; r < 10; r++) {
    const jobs = Array.from({ length: 60 }, () => { const now = Date.now(); const ms = tr.batch(100, now).filter((m) => m.type === "track"); return JSON.stringify(ms.map((m) => [m.user.index + 1, m.type, m.event, JSON.stringify(m.properties), eventValue(m), Date.parse(m.timestamp), now, "x", m.messageId, JSON.stringify(m.context)])); });
    const res = summarize([await drive({ jobs, concurrency: 4, send: (b) => postJson(`${t.url}/__bench/e`, b) })]);
    console.log(r, Math.round(res.perSecond * 90), "rows/s", "p50", res.p50.toFixed(1), sizes(t.dir));
  }
} finally { await cleanup(); }
