import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { admin, json } from "./helpers";

// The upper bound: 100,000 rows in one file, streamed, with progress visible while it runs.
it("imports 100,000 rows with live progress and refuses the row beyond the limit", async () => {
  const a = await admin();
  const job = await json(await a.fetch("/api/imports", { method: "POST", json: { filename: "big.csv" } }));
  const rows = 100_001;
  let i = 0;
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i === 0) controller.enqueue(encoder.encode("email,first_name,last_name,city,plan\n"));
      const lines: string[] = [];
      for (let k = 0; k < 1000 && i < rows; k++, i++) lines.push(`person${i}@example.net,First${i},Last${i},City ${i % 50},${i % 3 ? "basic" : "pro"}`);
      controller.enqueue(encoder.encode(lines.join("\n") + "\n"));
      if (i >= rows) controller.close();
    },
  });
  const upload = a.fetch(`/api/imports/${job.id}/csv`, { method: "PUT", body: stream, duplex: "half" } as RequestInit).then(json);
  let finished = false;
  void upload.then(() => (finished = true));
  const seen: number[] = [];
  while (!finished) {
    seen.push((await json(await a.fetch(`/api/imports/${job.id}`))).rowsProcessed);
    await new Promise((r) => setTimeout(r, 100));

  }
  const report = await upload;
  expect(report).toMatchObject({ status: "failed", rowsImported: 100_000, rowsRejected: 0 });
  expect(report.error).toBe("the file has more than 100,000 rows; the first 100,000 were imported");
  expect(seen.some((n) => n > 0 && n < 100_000)).toBe(true);
  const n = await env.DB.prepare("SELECT count(*) AS n FROM contacts").first<{ n: number }>();
  expect(n!.n).toBe(100_000);
}, 120_000);
