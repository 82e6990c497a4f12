/** Small helpers over the D1 binding shared by the store modules. */
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export const db = (d1: D1Database) => drizzle(d1, { schema });
export type Db = ReturnType<typeof db>;

/** D1 binds at most 100 parameters per statement. */
export const MAX_PARAMS = 100;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Rows per multi-row INSERT so that rows × columns stays within the parameter limit. */
export const rowsPerInsert = (columns: number) => Math.max(1, Math.floor(MAX_PARAMS / columns));

/** `(?,?,?),(?,?,?)` for `rows` rows of `columns` placeholders. */
export function placeholders(rows: number, columns: number): string {
  const row = `(${Array(columns).fill("?").join(",")})`;
  return Array(rows).fill(row).join(",");
}

/** Runs prepared statements in one round trip (D1 runs a batch as a transaction); skips an empty list. */
export async function runBatch(d1: D1Database, statements: D1PreparedStatement[]): Promise<D1Result[]> {
  return statements.length ? d1.batch(statements) : [];
}

/** Builds one statement per chunk of rows for a multi-row INSERT. */
export function insertRows(d1: D1Database, head: string, columns: number, rows: unknown[][], tail = ""): D1PreparedStatement[] {
  return chunk(rows, rowsPerInsert(columns)).map((part) =>
    d1.prepare(`${head} VALUES ${placeholders(part.length, columns)} ${tail}`).bind(...part.flat()),
  );
}
