/**
 * A plain monospace textarea made comfortable for HTML and Liquid: Tab indents (Shift+Tab outdents, also over a
 * selection of lines), Enter keeps the line's indentation, and a status line shows the cursor's line and column,
 * which template errors refer to. Esc, then Tab, moves focus on as usual.
 */
import type { ComponentChildren } from "preact";
import { useId, useRef, useState } from "preact/hooks";
import { cx } from "./ui";

const INDENT = "  ";

/** Replaces the selection through the editing commands, so Ctrl+Z undoes it like typing. */
function insert(ta: HTMLTextAreaElement, text: string, select?: [number, number]) {
  ta.focus();
  if (!document.execCommand("insertText", false, text)) {
    ta.setRangeText(text, ta.selectionStart, ta.selectionEnd, "end");
    ta.dispatchEvent(new Event("input", { bubbles: true }));
  }
  if (select) ta.setSelectionRange(select[0], select[1]);
}

function indentLines(ta: HTMLTextAreaElement, outdent: boolean) {
  const { value, selectionStart: start, selectionEnd: end } = ta;
  const lineStart = value.lastIndexOf("\n", start - 1) + 1;
  // A selection ending at the start of a line does not include that line.
  const lastEnd = end > start && value[end - 1] === "\n" ? end - 1 : end;
  const lineEnd = value.indexOf("\n", lastEnd) === -1 ? value.length : value.indexOf("\n", lastEnd);
  const lines = value.slice(lineStart, lineEnd).split("\n");
  const changed = lines.map((l) => (outdent ? l.replace(/^( {1,2}|\t)/, "") : INDENT + l));
  const text = changed.join("\n");
  if (text === lines.join("\n")) return;
  const firstDelta = changed[0]!.length - lines[0]!.length;
  ta.setSelectionRange(lineStart, lineEnd);
  insert(ta, text, [Math.max(lineStart, start + firstDelta), lineStart + text.length - (lineEnd - lastEnd)]);
}

function position(value: string, at: number): { line: number; col: number } {
  const before = value.slice(0, at);
  const line = before.split("\n").length;
  return { line, col: at - before.lastIndexOf("\n") };
}

export function CodeEditor({
  label,
  value,
  onValue,
  error,
  hint,
  aside,
  rows = 18,
  placeholder,
}: {
  label: string;
  value: string;
  onValue: (v: string) => void;
  error?: string;
  hint?: ComponentChildren;
  aside?: ComponentChildren;
  rows?: number;
  placeholder?: string;
}) {
  const id = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  const released = useRef(false);
  const [cursor, setCursor] = useState({ line: 1, col: 1 });
  const track = () => ref.current && setCursor(position(ref.current.value, ref.current.selectionStart));

  const onKeyDown = (e: KeyboardEvent) => {
    const ta = ref.current!;
    if (e.key === "Escape") {
      released.current = true;
      return;
    }
    if (e.key === "Tab" && !released.current && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      if (e.shiftKey || ta.value.slice(ta.selectionStart, ta.selectionEnd).includes("\n")) indentLines(ta, e.shiftKey);
      else insert(ta, INDENT);
      return;
    }
    released.current = false;
    if (e.key === "Enter" && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.isComposing) {
      const lineStart = ta.value.lastIndexOf("\n", ta.selectionStart - 1) + 1;
      const indent = /^[ \t]*/.exec(ta.value.slice(lineStart, ta.selectionStart))![0];
      if (indent) {
        e.preventDefault();
        insert(ta, `\n${indent}`);
      }
    }
  };

  return (
    <div class={cx("field", error && "has-error")}>
      <div class="field-label-row">
        <label class="field-label" for={id}>
          {label}
        </label>
        {aside && <span class="field-aside">{aside}</span>}
      </div>
      <div class="code-editor">
        <textarea
          id={id}
          ref={ref}
          class="input textarea mono code-input"
          rows={rows}
          value={value}
          spellcheck={false}
          autoCapitalize="off"
          autoComplete="off"
          placeholder={placeholder}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={`${id}-msg`}
          onInput={(e) => {
            onValue(e.currentTarget.value);
            track();
          }}
          onKeyDown={onKeyDown}
          onKeyUp={track}
          onClick={track}
          onFocus={track}
        />
        <div class="code-status" aria-hidden="true">
          <span>
            Ln {cursor.line}, Col {cursor.col}
          </span>
          <span>Tab indents · Esc then Tab leaves</span>
        </div>
      </div>
      {error ? (
        <p class="field-error" id={`${id}-msg`} role="alert">
          {error}
        </p>
      ) : (
        <p class="field-hint" id={`${id}-msg`}>
          {hint}
        </p>
      )}
    </div>
  );
}
