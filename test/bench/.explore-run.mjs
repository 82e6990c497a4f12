import fig from "./.explore-ingest.mjs";
import { cleanup } from "./lib/harness.mjs";
import { describe } from "./lib/report.mjs";
try { const r = await fig.run({ log: console.log }); console.log(describe(fig, r).lines.join("\n")); } finally { await cleanup(); }
