/** Figures for the dashboard: audience size, activity and revenue over recent days. */

const DAY = 86_400_000;

export async function overview(d1: D1Database, now: number, days = 30) {
  const since = now - days * DAY;
  const [audience, activity, orders, growth] = await d1.batch([
    d1.prepare(
      `SELECT
         (SELECT count(*) FROM contacts WHERE email IS NOT NULL OR external_id IS NOT NULL) AS contacts,
         (SELECT count(DISTINCT s.contact_id) FROM subscriptions s JOIN topics t ON t.id = s.topic_id
            WHERE s.status = 'subscribed' AND t.kind = 'marketing') AS subscribers,
         (SELECT count(*) FROM contacts WHERE created_at >= ? AND (email IS NOT NULL OR external_id IS NOT NULL)) AS newContacts`,
    ).bind(since),
    d1.prepare("SELECT count(*) AS events, count(DISTINCT contact_id) AS activeContacts FROM events WHERE occurred_at >= ?").bind(since),
    d1.prepare("SELECT count(*) AS orders, round(coalesce(sum(value), 0), 2) AS revenue FROM events WHERE name = 'Order Completed' AND occurred_at >= ?").bind(since),
    d1.prepare(
      `SELECT (created_at / ${DAY}) * ${DAY} AS day, count(*) AS n FROM contacts
       WHERE created_at >= ? AND (email IS NOT NULL OR external_id IS NOT NULL) GROUP BY 1 ORDER BY 1`,
    ).bind(since),
  ]);
  return {
    days,
    ...(audience!.results[0] as object),
    ...(activity!.results[0] as object),
    ...(orders!.results[0] as object),
    newContactsByDay: growth!.results as { day: number; n: number }[],
  };
}
