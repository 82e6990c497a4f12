/** Reading request bodies within a size limit, and parsing them with zod into typed values. */
import type { Context } from "hono";
import type { z } from "zod";
import { badRequest, HttpError, zodIssues } from "./errors";

/** A numeric id from a path segment; 0 (which matches no row) when it is not 1–12 digits. */
export const idOf = (raw: string) => (/^\d{1,12}$/.test(raw) ? Number(raw) : 0);

export const tooLarge = (limit: number) =>
  new HttpError(413, "payload_too_large", `Request body is larger than ${Math.round(limit / 1024)} KB`);

/**
 * Reads the body as bytes, refusing more than `limit` bytes (after gzip/deflate decoding) without buffering
 * past the limit: Content-Length is checked first, then the stream is counted as it arrives.
 */
export async function readBody(req: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  const encoding = (req.headers.get("content-encoding") ?? "identity").toLowerCase();
  if (encoding === "identity" && declared > limit) throw tooLarge(limit);
  if (!req.body) return new Uint8Array();
  let stream: ReadableStream<Uint8Array> = req.body;
  if (encoding === "gzip" || encoding === "deflate") stream = stream.pipeThrough(new DecompressionStream(encoding));
  else if (encoding !== "identity") throw new HttpError(415, "unsupported_encoding", `Content-Encoding ${encoding} is not supported`);

  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw tooLarge(limit);
      }
      parts.push(value);
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw badRequest("The request body could not be read (bad compression?)");
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Parses a body as JSON; the content type is not required (analytics.js sends text/plain to skip preflight). */
export async function readJson(req: Request, limit: number): Promise<unknown> {
  const bytes = await readBody(req, limit);
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw badRequest("The request body is not valid UTF-8");
  }
  if (!text.trim()) throw badRequest("The request body is empty; expected JSON");
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("The request body is not valid JSON");
  }
}

/** Validates a value with a zod schema, turning failures into a 400 with the issues listed. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, message = "The request is not valid"): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(message, zodIssues(result.error));
  return result.data;
}

/** Like jsonBody, but a request without a body counts as `{}` (actions with optional settings). */
export async function optionalJsonBody<S extends z.ZodType>(c: Context, schema: S, limit = 64 * 1024): Promise<z.infer<S>> {
  const bytes = await readBody(c.req.raw, limit);
  if (!bytes.byteLength) return parseWith(schema, {});
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw badRequest("The request body is not valid JSON");
  }
  return parseWith(schema, value);
}

/** JSON body of an admin request (64 KB unless said otherwise), validated by `schema`. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S, limit = 64 * 1024): Promise<z.infer<S>> {
  return parseWith(schema, await readJson(c.req.raw, limit));
}
