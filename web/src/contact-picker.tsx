/** A button that opens a search of the identified contacts by name or email (arrow keys, Enter, Esc): the template preview's "Preview as" and the flow simulator's "Contact". */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, query } from "./api";
import { displayName } from "./format";
import { Icon } from "./icons";
import type { ContactList, ContactSummary } from "./types";
import { Spinner, cx, useDebounced } from "./ui";

export type PreviewContact = Pick<ContactSummary, "id" | "email" | "firstName" | "lastName" | "externalId">;

/**
 * Without `sample`, the list holds only the search results and nothing is chosen until one is.
 * With it (the template preview), option 0 is the sample contact, which `null` stands for.
 * @example <ContactPicker value={contact} onValue={setContact} />
 * @example <ContactPicker value={contact} onValue={setContact} inline sample={false} caption="Contact" searchLabel="Search contacts to simulate for" placeholder="Search by name or email" />
 */
export function ContactPicker({
  value,
  onValue,
  inline,
  sample = true,
  caption = "Preview as",
  searchLabel = "Search contacts to preview as",
  placeholder = "Search contacts by name or email",
}: {
  value: PreviewContact | null;
  onValue: (c: ContactSummary | null) => void;
  inline?: boolean;
  sample?: boolean;
  caption?: string;
  searchLabel?: string;
  placeholder?: string;
}) {
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState("");
  const [items, setItems] = useState<ContactSummary[] | null>(null);
  const [active, setActive] = useState(0);
  const debounced = useDebounced(q, 200);
  const ref = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!open) return;
    let live = true;
    setItems(null);
    api.get<ContactList>(`/contacts${query({ q: debounced.trim(), kind: "identified", limit: 8 })}`).then(
      (r) => live && (setItems(r.items), setActive(0)),
      () => live && setItems([]),
    );
    return () => {
      live = false;
    };
  }, [debounced, open]);

  useEffect(() => {
    if (!open) return;
    input.current?.focus();
    const onDown = (e: MouseEvent) => ref.current && !ref.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);

  const options: (ContactSummary | null)[] = sample ? [null, ...(items ?? [])] : (items ?? []);
  const button = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    setQ("");
    button.current?.focus();
  };
  const choose = (c: ContactSummary | null) => {
    onValue(c);
    close();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown") (e.preventDefault(), setActive((a) => Math.min(options.length - 1, a + 1)));
    else if (e.key === "ArrowUp") (e.preventDefault(), setActive((a) => Math.max(0, a - 1)));
    else if (e.key === "Enter") (e.preventDefault(), active < options.length && choose(options[active] ?? null));
    else if (e.key === "Escape") (e.preventDefault(), e.stopPropagation(), close());
  };

  const label = value ? displayName(value) : sample ? "Sample contact" : "Choose…";
  return (
    <div class={cx("picker", inline && "picker-inline")} ref={ref}>
      <button type="button" ref={button} class="picker-button" aria-haspopup="listbox" aria-expanded={open} onClick={() => setOpen(!open)} title={sample ? "Whose data the preview uses" : undefined}>
        <Icon name="user" size={15} />
        <span class="picker-label">
          <span class="picker-caption">{caption}</span>
          <span class="picker-value">{label}</span>
        </span>
        <Icon name="chevronDown" size={15} />
      </button>
      {open && (
        <div class="picker-pop">
          <div class="search">
            <Icon name="search" size={16} />
            <input
              ref={input}
              class="input"
              type="search"
              placeholder={placeholder}
              aria-label={searchLabel}
              role="combobox"
              aria-expanded="true"
              aria-controls="picker-options"
              aria-activedescendant={options.length ? `picker-opt-${active}` : undefined}
              value={q}
              onInput={(e) => setQ(e.currentTarget.value)}
              onKeyDown={onKey}
            />
          </div>
          <ul class="picker-options" id="picker-options" role="listbox" aria-label="Contacts">
            {options.map((c, i) => (
              <li
                key={c?.id ?? "sample"}
                id={`picker-opt-${i}`}
                role="option"
                aria-selected={i === active}
                class={cx("picker-option", i === active && "is-active")}
                onMouseEnter={() => setActive(i)}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => choose(c)}
              >
                <span class="picker-option-name">{c ? displayName(c) : "Sample contact"}</span>
                <span class="picker-option-sub">{c ? c.email : "Jamie Rivera, with a two-product cart"}</span>
                {(c ? c.id === value?.id : !value) && <Icon name="check" size={15} class="picker-check" />}
              </li>
            ))}
            {items === null && (
              <li class="picker-empty">
                <Spinner small /> Searching…
              </li>
            )}
            {items?.length === 0 && <li class="picker-empty">No contacts match “{debounced}”.</li>}
          </ul>
          {sample && <p class="picker-foot">The event data (event.*) is a sample two-product cart for every contact.</p>}
        </div>
      )}
    </div>
  );
}
