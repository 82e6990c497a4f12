/** The form editor's field list: email first and always required, standard and custom fields, reordering. */
import { useState } from "preact/hooks";
import { Icon, type IconName } from "../icons";
import { Badge, Button, Checkbox, Dialog, SelectField, TextArea, TextField, cx } from "../ui";
import { STANDARD_FIELDS, TYPE_LABEL, isStandard, keyFromLabel, keyProblem, nextUid, type FieldDraft, type FieldType } from "./form-model";

const MAX_FIELDS = 20;

const TYPE_ICON: Record<FieldType, IconName> = { email: "mail", text: "edit", number: "bolt", checkbox: "check", select: "chevronDown", date: "clock", tel: "phone" };

const CUSTOM_TYPES: { value: FieldType; label: string }[] = [
  { value: "text", label: "Text" },
  { value: "number", label: "Number" },
  { value: "checkbox", label: "Checkbox" },
  { value: "select", label: "Dropdown" },
  { value: "date", label: "Date" },
];

export function FieldsEditor({ fields, onChange, errors }: { fields: FieldDraft[]; onChange: (f: FieldDraft[]) => void; errors: Record<string, string> }) {
  const [adding, setAdding] = useState(false);
  const keys = fields.map((f) => f.key);
  const update = (i: number, patch: Partial<FieldDraft>) => onChange(fields.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  const move = (i: number, by: -1 | 1) => {
    const next = [...fields];
    const [f] = next.splice(i, 1);
    next.splice(i + by, 0, f!);
    onChange(next);
  };
  const add = (f: Omit<FieldDraft, "uid">) => onChange([...fields, { ...f, uid: nextUid() }]);
  const full = fields.length >= MAX_FIELDS;
  const missing = STANDARD_FIELDS.filter((s) => !keys.includes(s.key));
  const general = errors.fields;

  return (
    <div class="stack">
      {general && <p class="field-error">{general}</p>}
      <ol class="ff-list" data-testid="form-fields">
        {fields.map((f, i) => {
          const err = (k: string) => errors[`fields.${i}.${k}`];
          const email = f.key === "email";
          return (
            <li key={f.uid} class={cx("ff-row", Object.keys(errors).some((k) => k.startsWith(`fields.${i}.`)) && "has-error")} data-field={f.key}>
              <div class="ff-head">
                <span class="ff-type">
                  <Icon name={TYPE_ICON[f.type]} size={14} />
                  {TYPE_LABEL[f.type]}
                </span>
                <code class="ff-key" title={isStandard(f.key) ? "Fills the contact's own field" : `A custom property: {{ contact.${f.key} }} in emails`}>
                  {f.key}
                </code>
                <span class="ff-tools">
                  {email ? (
                    <Badge tone="blue">Always required</Badge>
                  ) : (
                    <Checkbox label="Required" checked={f.required} onChange={(v) => update(i, { required: v })} />
                  )}
                  <button type="button" class="icon-btn ff-up" aria-label={`Move ${f.label || f.key} up`} title="Move up" disabled={i === 0} onClick={() => move(i, -1)}>
                    <Icon name="chevronDown" size={16} />
                  </button>
                  <button type="button" class="icon-btn" aria-label={`Move ${f.label || f.key} down`} title="Move down" disabled={i === fields.length - 1} onClick={() => move(i, 1)}>
                    <Icon name="chevronDown" size={16} />
                  </button>
                  <button
                    type="button"
                    class="icon-btn ff-remove"
                    aria-label={`Remove ${f.label || f.key}`}
                    title={email ? "Every form needs the email field" : "Remove field"}
                    disabled={email}
                    onClick={() => onChange(fields.filter((_, j) => j !== i))}
                  >
                    <Icon name="trash" size={16} />
                  </button>
                </span>
              </div>
              <div class="grid-2">
                <TextField label="Label" value={f.label} onValue={(v) => update(i, { label: v })} error={err("label")} maxLength={200} />
                {f.type !== "checkbox" && f.type !== "date" && (
                  <TextField label="Placeholder" aside="Optional" value={f.placeholder} onValue={(v) => update(i, { placeholder: v })} error={err("placeholder")} maxLength={200} placeholder={f.type === "select" ? "Choose…" : ""} />
                )}
                {f.type === "select" && (
                  <TextArea
                    class="span-2"
                    label="Options"
                    rows={3}
                    value={f.optionsText}
                    onValue={(v) => update(i, { optionsText: v })}
                    error={err("options")}
                    hint="One per line. To store something other than what people see, write value | Label."
                  />
                )}
                {(err("key") || err("type") || err("required")) && <p class="field-error span-2">{err("key") || err("type") || err("required")}</p>}
              </div>
            </li>
          );
        })}
      </ol>
      <div class="ff-add">
        <span class="field-label">Add a field</span>
        <div class="ff-add-buttons">
          {missing.map((s) => (
            <Button key={s.key} size="sm" icon="plus" disabled={full} onClick={() => add({ key: s.key, type: s.type, label: s.label, placeholder: "", required: false, optionsText: "" })}>
              {s.label}
            </Button>
          ))}
          <Button size="sm" icon="plus" disabled={full} onClick={() => setAdding(true)}>
            Custom field…
          </Button>
        </div>
        {full && <p class="field-hint">A form has at most {MAX_FIELDS} fields.</p>}
      </div>
      {adding && (
        <CustomFieldDialog
          taken={keys}
          onClose={() => setAdding(false)}
          onAdd={(f) => {
            add(f);
            setAdding(false);
          }}
        />
      )}
    </div>
  );
}

function CustomFieldDialog({ taken, onAdd, onClose }: { taken: string[]; onAdd: (f: Omit<FieldDraft, "uid">) => void; onClose: () => void }) {
  const [label, setLabel] = useState("");
  const [type, setType] = useState<FieldType>("text");
  const [key, setKey] = useState("");
  const [keyEdited, setKeyEdited] = useState(false);
  const [options, setOptions] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const shownKey = keyEdited ? key : label.trim() ? keyFromLabel(label, taken) : "";

  const submit = () => {
    const e: Record<string, string> = {};
    if (!label.trim()) e.label = "Give the field a label, for example “Shoe size”";
    const problem = keyProblem(shownKey, taken);
    if (label.trim() && problem) e.key = problem;
    if (type === "select" && !options.trim()) e.options = "Add at least one option";
    setErrors(e);
    if (Object.keys(e).length) return;
    onAdd({ key: shownKey, type, label: label.trim(), placeholder: "", required: false, optionsText: options });
  };

  return (
    <Dialog
      title="Add a custom field"
      description="Answers are saved on the contact as a property you can use in segments and emails."
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary">
            Add field
          </Button>
        </>
      }
    >
      <TextField label="Label" value={label} onValue={setLabel} placeholder="Shoe size" autoFocus error={errors.label} maxLength={200} />
      <SelectField label="Type" value={type} onValue={(v) => setType(v as FieldType)} options={CUSTOM_TYPES} hint={type === "checkbox" ? "A single tick box, such as “I'm a trade customer”." : undefined} />
      {type === "select" && <TextArea label="Options" rows={4} value={options} onValue={setOptions} error={errors.options} hint="One per line." />}
      <TextField
        label="Property key"
        mono
        value={shownKey}
        onValue={(v) => {
          setKeyEdited(true);
          setKey(v);
        }}
        error={errors.key}
        hint={shownKey ? `In emails: {{ contact.${shownKey} }}` : "Made from the label; change it if you like."}
        maxLength={40}
      />
    </Dialog>
  );
}
