/**
 * The contact columns segments can ask about, and which comparisons suit each kind. No dependencies, so the admin
 * UI imports it as is.
 */

/** Contact columns a condition may use, with their type. Custom properties are `properties.<name>`. */
export const FIELDS = {
  email: "string",
  first_name: "string",
  last_name: "string",
  phone: "string",
  timezone: "string",
  locale: "string",
  country: "string",
  birthday: "birthday",
  status: "string",
  source: "string",
  external_id: "string",
  created_at: "date",
  order_count: "number",
  revenue: "number",
  first_order_at: "date",
  last_order_at: "date",
  last_opened_at: "date",
  last_clicked_at: "date",
} as const;
export type FieldName = keyof typeof FIELDS;

// Which comparisons make sense for each kind of column. Typed columns also compare values of their own type only:
// SQLite would convert "5" to 5 for an INTEGER column (column affinity), which JSON properties never do.
export const OPS_BY_TYPE: Record<(typeof FIELDS)[FieldName], { ops: string[]; values: "string" | "number" | null }> = {
  string: { ops: ["eq", "neq", "contains", "not_contains", "starts_with", "exists", "not_exists", "in", "not_in"], values: "string" },
  number: { ops: ["eq", "neq", "gt", "gte", "lt", "lte", "between", "exists", "not_exists", "in", "not_in"], values: "number" },
  date: { ops: ["before", "after", "between_dates", "within_last_days", "more_than_days_ago", "exists", "not_exists"], values: null },
  birthday: { ops: ["month_is", "eq", "neq", "starts_with", "contains", "exists", "not_exists"], values: "string" },
};

