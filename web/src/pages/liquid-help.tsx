/** The personalisation reference beside the template editor: what a template can read, with copyable examples. */
import { CopyButton } from "../ui";

interface Item {
  code: string;
  text: string;
}

const groups: { title: string; note?: string; items: Item[] }[] = [
  {
    title: "Contact",
    items: [
      { code: '{{ contact.first_name | default: "there" }}', text: "First name, with a fallback for contacts without one." },
      { code: "{{ contact.name }}", text: "Full name. Also last_name, email, phone, country, locale, timezone, birthday and external_id." },
      { code: "{{ contact.plan }}", text: "Any custom property by its name, as sent in identify traits or imported." },
    ],
  },
  {
    title: "Event",
    note: "The event that started the flow step or transactional send, such as Checkout Started.",
    items: [
      { code: "{{ event.value | money }}", text: "The cart or order value in your store's currency." },
      {
        code: '{% for p in event.products %}\n  <a href="{{ p.url }}">{{ p.name }}</a>\n  {{ p.quantity }} × {{ p.price | money }}\n{% endfor %}',
        text: "One row per product (Segment's Ecommerce v2 fields: name, price, quantity, url, image_url).",
      },
    ],
  },
  {
    title: "Store and links",
    note: "The store layout already puts the address and these links in the footer.",
    items: [
      { code: "{{ store.name }}", text: "Also store.website, store.address and store.logo_url, from Settings." },
      { code: '<a href="{{ unsubscribe_url }}">Unsubscribe</a>', text: "One-click unsubscribe for this contact. Also preferences_url and view_in_browser_url." },
    ],
  },
  {
    title: "Filters and logic",
    items: [
      { code: '{{ 19.5 | money: "EUR" }}', text: "money formats a number as currency, in the contact's locale." },
      { code: '{{ now | local_date: "%A, %B %-d" }}', text: "local_date shows a date in the contact's own time zone." },
      { code: '{% if contact.first_name %}Hi {{ contact.first_name }},{% else %}Hello,{% endif %}', text: "Conditions. Standard Liquid filters (upcase, capitalize, date, times…) work too." },
    ],
  },
];

export function LiquidHelp() {
  return (
    <div class="liquid-help">
      {groups.map((g) => (
        <section key={g.title} class="liquid-group">
          <h3>{g.title}</h3>
          {g.note && <p class="liquid-note">{g.note}</p>}
          <ul>
            {g.items.map((i) => (
              <li key={i.code}>
                <div class="liquid-item-head">
                  <pre class="liquid-code">
                    <code>{i.code}</code>
                  </pre>
                  <CopyButton text={i.code} />
                </div>
                <p>{i.text}</p>
              </li>
            ))}
          </ul>
        </section>
      ))}
      <p class="liquid-note">
        Output is HTML-escaped. A mistake in a tag is reported when you save, with its line and column, so it can never break a send.
      </p>
    </div>
  );
}
