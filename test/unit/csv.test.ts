import { describe, expect, it } from "vitest";
import { CsvError, CsvParser, csvCell, csvRow, parseCsv } from "../../worker/core/csv";

describe("CsvParser", () => {
  it("parses quoted fields, doubled quotes, embedded newlines and CRLF", () => {
    expect(parseCsv('a,b,c\r\n1,"two, too","say ""hi"""\n"multi\nline",,x')).toEqual([
      ["a", "b", "c"],
      ["1", "two, too", 'say "hi"'],
      ["multi\nline", "", "x"],
    ]);
  });

  it("strips a BOM and handles a trailing newline and lone CR", () => {
    expect(parseCsv("\ufeffemail\rx@y.z\r")).toEqual([["email"], ["x@y.z"]]);
  });

  it("gives the same records however the input is chunked", () => {
    const text = 'email,name\n"a@b.co","Ann ""A"" Lee"\r\nc@d.co,"x\r\ny"\n';
    const whole = parseCsv(text);
    for (let size = 1; size < text.length; size++) {
      const p = new CsvParser();
      const out: string[][] = [];
      for (let i = 0; i < text.length; i += size) out.push(...p.push(text.slice(i, i + size)));
      out.push(...p.end());
      expect(out).toEqual(whole);
    }
  });

  it("refuses an unterminated quote and over-long records", () => {
    expect(() => parseCsv('a\n"never closed')).toThrow(CsvError);
    const p = new CsvParser(10);
    expect(() => p.push("x".repeat(11))).toThrow(/longer than 10/);
  });
});

describe("csvCell", () => {
  it("neutralises spreadsheet formulas", () => {
    for (const danger of ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]) expect(csvCell(danger).replace(/^"/, "")).toMatch(/^'/);
    expect(csvCell("=HYPERLINK(\"http://evil\")")).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell(null)).toBe("");
    expect(csvCell({ a: 1 })).toBe(`"{""a"":1}"`);
  });

  it("round-trips through the parser", () => {
    const values = ["a,b", 'q"uote', "line\nbreak", "ok"];
    expect(parseCsv(csvRow(values))).toEqual([values]);
  });
});
