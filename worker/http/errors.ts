/** The one error shape every endpoint answers with: `{ "error": { "code", "message", "issues"? } }`. */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";

export interface Issue {
  path: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly issues?: Issue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, issues?: Issue[]) => new HttpError(400, "invalid_request", message, issues);
export const notFound = (what = "Not found") => new HttpError(404, "not_found", what);

export function zodIssues(error: ZodError, prefix = ""): Issue[] {
  // Paths can hold client-chosen keys: keep them short so an error never echoes a large input back.
  return error.issues.map((i) => ({ path: [prefix, ...i.path.map((p) => String(p).slice(0, 100))].filter(Boolean).join("."), message: i.message }));
}

export function errorResponse(c: Context, err: HttpError): Response {
  const body = { error: { code: err.code, message: err.message, ...(err.issues?.length ? { issues: err.issues.slice(0, 50) } : {}) } };
  return c.json(body, err.status, err.headers);
}
