import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../worker/core/csv";
import { sha256Hex } from "../../worker/core/crypto";
import { admin, json, type Admin } from "./helpers";

let a: Admin;

beforeAll(async () => {
  a = await admin();
  await a.fetch("/api/topics", { method: "POST", json: { key: "newsletter", name: "Newsletter" } });
});

async function importCsv(csv: string | ReadableStream<Uint8Array>, options: Record<string, unknown> = {}) {
  const job = await json(await a.fetch("/api/imports", { method: "POST", json: { filename: "contacts.csv", ...options } }));
  const res = await a.fetch(`/api/imports/${job.id}/csv`, { method: "PUT", headers: { "content-type": "text/csv" }, body: csv, ...(typeof csv === "string" ? {} : { duplex: "half" }) } as RequestInit);
  return { job, res, report: await json(res) };
}

describe("CSV import", () => {
  it("imports rows, maps columns, types custom properties and reports rejects", async () => {
    const csv = [
      "Email,First Name,last_name,Phone,timezone,birthday,external_id,loyalty_points,vip,notes",
      "ana@example.com,Ana,Silva,+351 21 000 0000,Europe/Lisbon,1988-06-01,cust-1,120,true,\"likes tea, and cake\"",
      "not-an-email,Bad,Row,,,,,,,",
      ",Missing,Email,,,,,,,",
      "ben@example.com,Ben,Okafor,,Mars/Base,,,,,",
      "cleo@example.com,Cléo,Dubois,,,,,,,\"multi",
      "line note\"",
      "",
    ].join("\r\n");
    const { res, report } = await importCsv(csv, { topics: ["newsletter"] });
    expect(res.status).toBe(200);
    expect(report).toMatchObject({ status: "done", rowsProcessed: 5, rowsImported: 2, rowsRejected: 3 });
    expect(report.rejects.map((r: any) => [r.row, r.reason])).toEqual([
      [3, "not a valid email address"],
      [4, "no email address"],
      [5, "timezone: not an IANA time zone such as Europe/Paris"],
    ]);
    const ana = await env.DB.prepare("SELECT * FROM contacts WHERE email = 'ana@example.com'").first<any>();
    expect(ana).toMatchObject({ first_name: "Ana", last_name: "Silva", timezone: "Europe/Lisbon", birthday: "1988-06-01", external_id: "cust-1", source: "import" });
    expect(JSON.parse(ana.properties)).toEqual({ loyalty_points: 120, vip: true, notes: "likes tea, and cake" });
    const cleo = await env.DB.prepare("SELECT * FROM contacts WHERE email = 'cleo@example.com'").first<any>();
    expect(JSON.parse(cleo.properties).notes).toBe("multi\r\nline note");
    const subs = await env.DB.prepare("SELECT count(*) AS n FROM subscriptions WHERE source = 'import' AND status = 'subscribed'").first<{ n: number }>();
    expect(subs!.n).toBe(2);

    const rejects = parseCsv(await (await a.fetch(`/api/imports/${report.id}/rejects.csv`)).text());
    expect(rejects[0]!.slice(0, 3)).toEqual(["row", "reason", "Email"]);
    expect(rejects[1]![2]).toBe("not-an-email");
  });

  it("updates existing contacts without overwriting by default, never re-subscribes, and can overwrite", async () => {
    await a.fetch("/api/contacts", { method: "POST", json: { email: "dora@example.com", firstName: "Dora", topics: { newsletter: "unsubscribed" } } });
    await importCsv("email,first_name,last_name\ndora@example.com,Dorothy,Ng", { topics: ["newsletter"] });
    let dora = await env.DB.prepare("SELECT * FROM contacts WHERE email = 'dora@example.com'").first<any>();
    expect([dora.first_name, dora.last_name]).toEqual(["Dora", "Ng"]);
    const sub = await env.DB.prepare("SELECT s.status FROM subscriptions s WHERE s.contact_id = ?").bind(dora.id).first<{ status: string }>();
    expect(sub!.status).toBe("unsubscribed");

    await a.fetch("/api/contacts", { method: "POST", json: { email: "eli@example.com", status: "unsubscribed" } });
    await importCsv("email\neli@example.com", { topics: ["newsletter"] });
    const eliSubs = await env.DB.prepare("SELECT count(*) AS n FROM subscriptions s JOIN contacts c ON c.id = s.contact_id WHERE c.email = 'eli@example.com'").first<{ n: number }>();
    expect(eliSubs!.n).toBe(0);

    await importCsv("email,first_name\ndora@example.com,Dorothy", { overwrite: true });
    dora = await env.DB.prepare("SELECT * FROM contacts WHERE email = 'dora@example.com'").first<any>();
    expect([dora.first_name, dora.last_name]).toEqual(["Dorothy", "Ng"]);
  });

  it("refuses files without an email header, non-UTF-8 files and reuse of an import", async () => {
    const noHeader = await importCsv("name,phone\nAna,1");
    expect(noHeader.res.status).toBe(400);
    expect(noHeader.report.error).toEqual({ code: "invalid_file", message: "the first line must be a header with an email column" });
    expect(await json(await a.fetch(`/api/imports/${noHeader.job.id}`))).toMatchObject({ status: "failed", error: "the first line must be a header with an email column" });
    const latin1 = await importCsv(new Blob([new Uint8Array([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x0a, 0xe9, 0x40, 0x78, 0x2e, 0x63, 0x6f])]).stream());
    expect(latin1.report.error.message).toMatch(/UTF-8/);
    const again = await a.fetch(`/api/imports/${latin1.job.id}/csv`, { method: "PUT", body: "email\nz@example.com" });
    expect(again.status).toBe(409);
    expect((await a.fetch("/api/imports/999/csv", { method: "PUT", body: "email" })).status).toBe(404);
    expect((await a.fetch("/api/imports", { method: "POST", json: { filename: "x.csv", topics: ["ghost"] } })).status).toBe(400);
  });

  it("will not re-import a person who was erased", async () => {
    await env.DB.prepare("INSERT INTO suppressions (email_hash, reason, created_at) VALUES (?, 'erased', 1)").bind(await sha256Hex("gone@example.com")).run();
    const { report } = await importCsv("email\ngone@example.com\nstay@example.com");
    expect(report).toMatchObject({ rowsImported: 1, rowsRejected: 1 });
    expect(report.rejects[0].reason).toMatch(/erased/);
  });

  it("streams a large file in chunks and keeps progress", async () => {
    const rows = 3000;
    let i = 0;
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i === 0) controller.enqueue(encoder.encode("email,first_name,city\n"));
        const lines: string[] = [];
        for (let k = 0; k < 250 && i < rows; k++, i++) lines.push(`bulk${i}@example.net,Name${i},City ${i % 7}`);
        if (lines.length) controller.enqueue(encoder.encode(lines.join("\n") + "\n"));
        if (i >= rows) controller.close();
      },
    });
    const { report } = await importCsv(stream);
    expect(report).toMatchObject({ status: "done", rowsProcessed: rows, rowsImported: rows, rowsRejected: 0 });
    expect(report.bytesRead).toBeGreaterThan(rows * 20);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE email LIKE 'bulk%@example.net'").first<{ n: number }>();
    expect(n!.n).toBe(rows);
    const progress = await json(await a.fetch(`/api/imports/${report.id}`));
    expect(progress).toMatchObject({ status: "done", rowsImported: rows });
    expect((await json(await a.fetch("/api/imports"))).items[0].id).toBe(report.id);
  });
});
