/** The admin API client: JSON in and out, the session's CSRF token on every state change, one error type. */
import { store } from "./store";
import type { Session, Settings, User } from "./types";

export interface Issue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
    /** seconds, from Retry-After on 429 answers */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

/** The signed-in user, or null once we know nobody is (the app then shows the login screen). */
export const session = store<{ user: User; csrfToken: string } | null>(null);
/** Workspace settings, loaded after sign-in (the currency and store name are shown throughout). */
export const settings = store<Settings | null>(null);

const safeMethodRe = /^(GET|HEAD)$/;

export async function request<T>(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set("Accept", "application/json");
  const csrf = session.get()?.csrfToken;
  if (!safeMethodRe.test(method) && csrf) headers.set("X-CSRF-Token", csrf);
  let payload = init.body;
  if (body !== undefined) {
    headers.set("Content-Type", "application/json");
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(`/api${path}`, { ...init, method, headers, body: payload, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "network", "Tern could not be reached. Check your connection and try again.");
  }
  const data: unknown = (res.headers.get("content-type") ?? "").includes("json") ? await res.json().catch(() => null) : null;
  if (res.ok) return data as T;
  const error = (data as { error?: { code?: string; message?: string; issues?: Issue[] } } | null)?.error;
  // An expired or revoked session: back to the login screen (the auth endpoints handle their own 401s).
  if (res.status === 401 && !path.startsWith("/auth/")) session.set(null);
  throw new ApiError(res.status, error?.code ?? "http_" + res.status, error?.message ?? `The server answered ${res.status} ${res.statusText}`.trim(), error?.issues ?? [], Number(res.headers.get("retry-after")) || null);
}

export const api = {
  get: <T>(path: string) => request<T>("GET", path),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, body),
  put: <T>(path: string, body: BodyInit) => request<T>("PUT", path, undefined, { body }),
  del: <T>(path: string) => request<T>("DELETE", path),
};

export function startSession(s: Session): void {
  session.set({ user: s.user, csrfToken: s.csrfToken });
}

/** `{ "store.name": "…" }` from an error's issues, so forms can show each message beside its field. */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (err instanceof ApiError) for (const i of err.issues) out[i.path] ??= i.message;
  return out;
}

export const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The banner when every problem is shown beside its field. */
export const SEE_FIELDS = "Please correct the highlighted fields.";

/**
 * The banner above a form: when every issue is shown beside a field, a pointer to them; issues about fields
 * the form does not show are spelled out, so nothing is silently swallowed.
 */
export function formError(err: unknown, fields: string[]): string {
  if (!(err instanceof ApiError) || !err.issues.length) return errorMessage(err);
  const shown = (path: string) => fields.some((f) => path === f || path.startsWith(`${f}.`));
  const rest = err.issues.filter((i) => !shown(i.path));
  if (!rest.length) return SEE_FIELDS;
  return `${err.message}: ${rest.map((i) => (i.path ? `${i.path} ${i.message}` : i.message)).join("; ")}`;
}

/** Builds a query string from the non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}
