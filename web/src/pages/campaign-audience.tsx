/** Choosing a campaign's audience: the chosen segments and topics as removable chips, and a searchable list to add more. */
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { formatNumber } from "../format";
import { Icon } from "../icons";
import { cx } from "../ui";

export interface AudienceOption {
  /** "s:12" for a segment, "t:newsletter" for a topic */
  value: string;
  label: string;
  sub?: string;
  /** shown in the chip once chosen, e.g. "1,204 contacts" */
  size?: string;
  group: "Segments" | "Topics";
}

export const segmentValue = (id: number) => `s:${id}`;
export const topicValue = (key: string) => `t:${key}`;

export const sizeNote = (n: number | null | undefined, noun: string) => (n === null || n === undefined ? undefined : `${formatNumber(n)} ${noun}`);

/**
 * Chips for the chosen options and an "Add" button opening a filterable list (arrow keys, Enter, Esc).
 * @example <AudienceField label="Send to" options={opts} value={["s:3", "t:news"]} onValue={set} />
 */
export function AudienceField({ label, hint, options, value, onValue, addLabel, error, testId, tone = "include" }: { label: string; hint?: string; options: AudienceOption[]; value: string[]; onValue: (v: string[]) => void; addLabel: string; error?: string; testId?: string; tone?: "include" | "exclude" }) {
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState("");
  const [active, setActive] = useState(0);
  const ref = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const id = useId();
  const byValue = new Map(options.map((o) => [o.value, o]));
  const needle = q.trim().toLowerCase();
  const available = options.filter((o) => !value.includes(o.value) && (!needle || o.label.toLowerCase().includes(needle)));

  useEffect(() => {
    if (!open) return;
    input.current?.focus();
    const onDown = (e: MouseEvent) => ref.current && !ref.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);
  useEffect(() => setActive(0), [q, open]);

  const close = () => {
    setOpen(false);
    setQ("");
    button.current?.focus();
  };
  const choose = (o: AudienceOption | undefined) => {
    if (!o) return;
    onValue([...value, o.value]);
    close();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown") (e.preventDefault(), setActive((a) => Math.min(available.length - 1, a + 1)));
    else if (e.key === "ArrowUp") (e.preventDefault(), setActive((a) => Math.max(0, a - 1)));
    else if (e.key === "Enter") (e.preventDefault(), choose(available[active]));
    else if (e.key === "Escape") (e.preventDefault(), e.stopPropagation(), close());
  };

  let lastGroup = "";
  return (
    <div class={cx("field", error && "has-error")} data-testid={testId}>
      <div class="field-label-row">
        <span class="field-label" id={`${id}-label`}>
          {label}
        </span>
      </div>
      <div class={cx("aud-box", error && "has-error", tone === "exclude" && "is-exclude")} role="group" aria-labelledby={`${id}-label`}>
        {value.map((v) => {
          const o = byValue.get(v);
          return (
            <span key={v} class={cx("aud-chip", tone === "exclude" && "is-exclude")} data-value={v}>
              <Icon name={v.startsWith("t:") ? "mail" : "segments"} size={13} />
              <span class="aud-chip-label">{o?.label ?? (v.startsWith("t:") ? `Topic ${v.slice(2)}` : `Segment #${v.slice(2)}`)}</span>
              {o?.size && <span class="aud-chip-sub">{o.size}</span>}
              <button type="button" aria-label={`Remove ${o?.label ?? v}`} title="Remove" onClick={() => onValue(value.filter((x) => x !== v))}>
                <Icon name="close" size={13} />
              </button>
            </span>
          );
        })}
        <div class="picker aud-add" ref={ref}>
          <button type="button" ref={button} class="btn btn-ghost btn-sm aud-add-btn" aria-haspopup="listbox" aria-expanded={open} onClick={() => (open ? close() : setOpen(true))}>
            <Icon name="plus" size={15} />
            {addLabel}
          </button>
          {open && (
            <div class="picker-pop">
              <div class="search">
                <Icon name="search" size={16} />
                <input
                  ref={input}
                  class="input"
                  type="search"
                  placeholder="Search by name"
                  aria-label={`${addLabel}: search`}
                  role="combobox"
                  aria-expanded="true"
                  aria-controls={`${id}-options`}
                  aria-activedescendant={available.length ? `${id}-opt-${active}` : undefined}
                  value={q}
                  onInput={(e) => setQ(e.currentTarget.value)}
                  onKeyDown={onKey}
                />
              </div>
              <ul class="picker-options" id={`${id}-options`} role="listbox" aria-label={addLabel}>
                {available.map((o, i) => {
                  const heading = o.group !== lastGroup ? o.group : null;
                  lastGroup = o.group;
                  return [
                    heading && (
                      <li key={`h-${heading}`} class="aud-group" role="presentation">
                        {heading}
                      </li>
                    ),
                    <li
                      key={o.value}
                      id={`${id}-opt-${i}`}
                      role="option"
                      aria-selected={i === active}
                      class={cx("picker-option", i === active && "is-active")}
                      onMouseEnter={() => setActive(i)}
                      onMouseDown={(e) => e.preventDefault()}
                      onClick={() => choose(o)}
                    >
                      <span class="picker-option-name">{o.label}</span>
                      {o.sub && <span class="picker-option-sub">{o.sub}</span>}
                    </li>,
                  ];
                })}
                {available.length === 0 && <li class="picker-empty">{options.length === value.length ? "Everything is chosen already." : `Nothing matches “${q}”.`}</li>}
              </ul>
            </div>
          )}
        </div>
      </div>
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : hint ? (
        <p class="field-hint">{hint}</p>
      ) : null}
    </div>
  );
}
