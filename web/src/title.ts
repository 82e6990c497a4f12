/** Keeps the browser tab's title in step with the page. */
import { useEffect } from "preact/hooks";

export function useTitle(title: string | null | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · Tern` : "Tern";
  }, [title]);
}
