/** A small History-API router: the current location as a store, `navigate`, `<Link>` and path patterns. */
import type { ComponentChildren, JSX } from "preact";
import { useEffect } from "preact/hooks";
import { store, useStore } from "./store";

export interface Location {
  path: string;
  search: string;
}

const read = (): Location => ({ path: window.location.pathname.replace(/\/+$/, "") || "/", search: window.location.search });
const location = store<Location>(read());

/** A page with unsaved work sets this; leaving it then asks first (see `useLeaveGuard`). */
let leaveMessage: string | null = null;
const mayLeave = () => !leaveMessage || window.confirm(leaveMessage);

window.addEventListener("popstate", () => {
  if (!mayLeave()) {
    // Back/forward already happened: put the page the user stays on back on top of the history.
    const here = location.get();
    window.history.pushState(null, "", here.path + here.search);
    return;
  }
  leaveMessage = null;
  location.set(read());
});

/** Goes to `to` (a path with optional query). `replace` rewrites the current entry instead (filters, redirects). */
export function navigate(to: string, opts: { replace?: boolean; keepScroll?: boolean; force?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (!opts.force && !opts.replace && !mayLeave()) return;
  if (!opts.replace) leaveMessage = null;
  window.history[opts.replace ? "replaceState" : "pushState"](null, "", to);
  location.set(read());
  if (!opts.keepScroll) window.scrollTo(0, 0);
}

/** A table row's onClick that opens `href`, unless the click was on a link or button inside the row. */
export function openRow(href: string): (e: MouseEvent) => void {
  return (e) => {
    if ((e.target as HTMLElement).closest("a, button")) return;
    navigate(href);
  };
}

/**
 * While `message` is set, leaving the page (in-app links, back/forward, closing the tab) asks for confirmation.
 * @example useLeaveGuard(dirty ? "Discard your unsaved changes?" : null)
 */
export function useLeaveGuard(message: string | null): void {
  useEffect(() => {
    leaveMessage = message;
    if (!message) return;
    const onUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", onUnload);
    return () => {
      window.removeEventListener("beforeunload", onUnload);
      if (leaveMessage === message) leaveMessage = null;
    };
  }, [message]);
}

export function useLocation(): Location {
  return useStore(location);
}

export function useQuery(): URLSearchParams {
  return new URLSearchParams(useLocation().search);
}

/**
 * Matches `/contacts/:id` style patterns; a trailing `*` matches the rest. Returns the decoded params or null.
 * @example match("/contacts/:id", "/contacts/42") // { id: "42" }
 */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/").filter(Boolean);
  const s = path.split("/").filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    if (part === "*") return params;
    const seg = s[i];
    if (seg === undefined) return null;
    if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(seg);
    else if (part !== seg) return null;
  }
  return p.length === s.length ? params : null;
}

/** Replaces the current address once rendered (navigating during render would update state mid-render). */
export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

const isModified = (e: MouseEvent) => e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0;

type LinkProps = JSX.AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren };

/** An anchor that navigates in-app on a plain click and behaves like a normal link otherwise (new tab, copy). */
export function Link({ href, onClick, ...rest }: LinkProps) {
  return (
    <a
      href={href}
      onClick={(e) => {
        onClick?.(e);
        if (e.defaultPrevented || isModified(e) || rest.target) return;
        e.preventDefault();
        navigate(href);
      }}
      {...rest}
    />
  );
}
