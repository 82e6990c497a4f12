/** Streaming RFC 4180 CSV parsing and formula-safe CSV writing. */

export class CsvError extends Error {}

/**
 * Incremental parser: feed text chunks as they arrive, get back the records completed so far.
 * Handles quoted fields spanning chunks, doubled quotes, CRLF/LF/CR line ends and a leading BOM.
 *
 * @example
 * const parser = new CsvParser();
 * for await (const chunk of stream) for (const record of parser.push(chunk)) handle(record);
 * for (const record of parser.end()) handle(record);
 */
export class CsvParser {
  private field = "";
  private record: string[] = [];
  private recordChars = 0;
  private inQuotes = false;
  private quoteSeen = false; // the previous char inside quotes was a quote: either an escape or the closing quote
  private pendingCR = false;
  private started = false;
  /** 1-based line number being read, for error messages. */
  private line = 1;

  constructor(private readonly maxRecordChars = 64 * 1024) {}

  push(chunk: string): string[][] {
    const out: string[][] = [];
    let i = 0;
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1;
    }
    for (; i < chunk.length; i++) {
      const ch = chunk[i]!;
      if (this.pendingCR) {
        this.pendingCR = false;
        if (ch === "\n") continue;
      }
      if (this.inQuotes) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (ch === '"') {
            this.field += '"';
            continue;
          }
          this.inQuotes = false; // the quote closed the field; fall through to handle ch unquoted
        } else if (ch === '"') {
          this.quoteSeen = true;
          continue;
        } else {
          this.append(ch);
          if (ch === "\n") this.line++;
          continue;
        }
      }
      if (ch === ",") {
        this.record.push(this.field);
        this.field = "";
      } else if (ch === "\n" || ch === "\r") {
        this.pendingCR = ch === "\r";
        out.push(this.finishRecord());
        this.line++;
      } else if (ch === '"' && this.field.length === 0) {
        this.inQuotes = true;
      } else {
        this.append(ch);
      }
    }
    return out;
  }

  end(): string[][] {
    if (this.inQuotes && !this.quoteSeen) throw new CsvError(`line ${this.line}: a quoted field is never closed`);
    if (this.field.length > 0 || this.record.length > 0 || this.quoteSeen) return [this.finishRecord()];
    return [];
  }

  private append(ch: string): void {
    this.field += ch;
    if (++this.recordChars > this.maxRecordChars) {
      throw new CsvError(`line ${this.line}: record longer than ${this.maxRecordChars} characters (unbalanced quote?)`);
    }
  }

  private finishRecord(): string[] {
    this.record.push(this.field);
    const record = this.record;
    this.record = [];
    this.field = "";
    this.recordChars = 0;
    this.inQuotes = false;
    this.quoteSeen = false;
    return record;
  }
}

/** Parses a whole CSV text at once. */
export function parseCsv(text: string): string[][] {
  const parser = new CsvParser();
  return [...parser.push(text), ...parser.end()];
}

// Spreadsheet apps run cells starting with these as formulas (OWASP "CSV injection").
const formulaStartRe = /^[=+\-@\t\r]/;
const needsQuotesRe = /[",\r\n]/;

/** One CSV cell: formula-looking text is prefixed with a quote, and quoted when needed. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "object" ? JSON.stringify(value) : String(value);
  if (formulaStartRe.test(text)) text = `'${text}`;
  return needsQuotesRe.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly unknown[]): string {
  return values.map(csvCell).join(",") + "\r\n";
}
