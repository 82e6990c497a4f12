/**
 * A realistic marketing email for the render and tracking figures: a shop's "picked for you" mail with a
 * navigation bar, a hero, a loop over the event's products (image, name, price × quantity through `money`),
 * a coupon, social links and an author-written plain-text part. About 10 KB of HTML once rendered in Tern's
 * base layout, 16 tracked links. Recipients and products are seeded, with non-ASCII names, so the MIME bodies
 * need quoted-printable on every side.
 */
import { rng } from "./segment.mjs";

export const SITE = "https://juniperandpine.example";

export const STORE = {
  name: "Juniper and Pine",
  address: "12 Harbour Street, Portland, ME 04101, USA",
  website: SITE,
  logoUrl: "https://cdn.juniperandpine.example/logo.png",
  brandColor: "#2f6f4f",
  currency: "USD",
};

const button = (href, label) =>
  `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:24px auto"><tr><td style="border-radius:6px;background:#2f6f4f"><a href="${href}" style="display:inline-block;padding:12px 22px;color:#ffffff;text-decoration:none;font-weight:600;font-family:Helvetica,Arial,sans-serif">${label}</a></td></tr></table>`;

const nav = ["new", "kitchen", "trail"]
  .map((c) => `<a href="${SITE}/collections/${c}?ref=nav" style="color:#2f6f4f;text-decoration:none;font-weight:600;padding:0 10px">${c[0].toUpperCase()}${c.slice(1)}</a>`)
  .join(" &middot; ");

/** The template as a shop owner would save it in Tern: Liquid over contact, event and store. */
export const TEMPLATE = {
  name: "Bench — picked for you",
  subject: "{{ contact.first_name | default: 'Hi' }}, {{ event.products.size }} picks we think you'll love",
  preheader: "Hand-made for slow mornings — and {{ event.discount }}% off until Sunday.",
  fromName: "Maya at Juniper and Pine",
  fromEmail: "hello@juniperandpine.example",
  replyTo: "care@juniperandpine.example",
  layout: "default",
  html: `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 24px">
<tr><td align="center" style="padding:0 0 16px;font-family:Helvetica,Arial,sans-serif;font-size:14px">${nav}</td></tr>
<tr><td><a href="${SITE}/collections/autumn?ref=hero"><img src="https://cdn.juniperandpine.example/hero/autumn-2026.jpg" alt="Autumn at Juniper and Pine" width="520" style="width:100%;max-width:520px;height:auto;border-radius:8px;display:block"></a></td></tr>
</table>
<h1 style="font-size:24px;line-height:1.3;margin:0 0 16px;color:#111827">{{ contact.first_name | default: "Hello" }}, these are for you</h1>
<p>We looked at what you browsed{% if contact.city %} from {{ contact.city }}{% endif %} and picked {{ event.products.size }} things we think you'll use every day. Each is made in small batches by people we know by name, and each ships in plastic-free packaging.</p>
{% if contact.vip %}<p style="background:#fef3c7;border-radius:6px;padding:12px 16px"><strong>VIP early access:</strong> as one of our most loyal customers you see these a full week before everyone else. Thank you for being with us since {{ contact.customer_since | default: "the start" }}.</p>{% endif %}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;margin:8px 0 16px">
{% for p in event.products %}<tr>
  <td width="96" valign="top" style="padding:12px 16px 12px 0;border-top:1px solid #e5e7eb"><a href="{{ p.url }}?ref=img"><img src="{{ p.image_url }}" alt="{{ p.name }}" width="88" height="88" style="border-radius:6px;display:block;width:88px;height:88px"></a></td>
  <td valign="top" style="padding:12px 0;border-top:1px solid #e5e7eb;font-family:Helvetica,Arial,sans-serif">
    <a href="{{ p.url }}" style="color:#1f2937;text-decoration:none;font-weight:600;font-size:16px">{{ p.name }}</a>{% if forloop.first %} <span style="background:#dcfce7;color:#166534;border-radius:4px;padding:1px 6px;font-size:12px">Top pick</span>{% endif %}<br>
    <span style="color:#6b7280;font-size:14px">{{ p.category }} &middot; {{ p.description | truncate: 90 }}</span><br>
    <span style="color:#6b7280;font-size:13px">Qty {{ p.quantity | default: 1 }}{% if p.compare_at %} &middot; <s>{{ p.compare_at | money }}</s>{% endif %}</span>
  </td>
  <td align="right" valign="top" style="padding:12px 0;border-top:1px solid #e5e7eb;font-weight:600;white-space:nowrap">{% assign qty = p.quantity | default: 1 %}{{ p.price | times: qty | money }}</td>
</tr>{% endfor %}
<tr><td colspan="2" align="right" style="padding:12px 16px 0 0;border-top:2px solid #111827;font-weight:600">Together</td><td align="right" style="padding:12px 0 0;border-top:2px solid #111827;font-weight:700">{{ event.value | money }}</td></tr>
</table>
<p>Use <strong>{{ event.coupon | upcase }}</strong> at checkout for <strong>{{ event.discount }}% off</strong> — it works until Sunday at midnight, on everything in the shop.</p>
${button(`${SITE}/cart?restore={{ event.cart_id }}`, "See your picks")}
<h2 style="font-size:18px;margin:24px 0 8px;color:#111827">From the journal</h2>
<p><a href="${SITE}/journal/pear-ginger-crumble">Pear and ginger crumble</a>: our favourite recipe of the season, baked in the cast-iron skillet we've used every day for six years. And if you're heading out: a three-day loop through the White Mountains, with the kit list we actually pack, is in the journal too.</p>
<p style="color:#6b7280;font-size:14px">Questions about sizing, care or shipping? Just reply to this email, or read the <a href="${SITE}/pages/faq">answers to common questions</a>. Free returns within 60 days, see our <a href="${SITE}/pages/returns">returns policy</a>.</p>
<p style="text-align:center;font-size:14px;margin:24px 0 0;color:#6b7280">Follow along on Instagram and Pinterest: @juniperandpine</p>
<p style="margin:16px 0 0">Warmly,<br>Maya and the team at {{ store.name }}</p>`,
  text: `{{ contact.first_name | default: "Hello" }}, these are for you

We looked at what you browsed and picked {{ event.products.size }} things we think you'll use every day.
{% for p in event.products %}
- {{ p.name }} ({{ p.category }}), qty {{ p.quantity | default: 1 }}: {% assign qty = p.quantity | default: 1 %}{{ p.price | times: qty | money }}
  {{ p.url }}{% endfor %}

Together: {{ event.value | money }}

Use {{ event.coupon | upcase }} at checkout for {{ event.discount }}% off, until Sunday at midnight.
See your picks: ${SITE}/cart?restore={{ event.cart_id }}

Warmly,
Maya and the team at {{ store.name }}
{{ store.address }}

Unsubscribe: {{ unsubscribe_url }}
Email preferences: {{ preferences_url }}
`,
};

/** Destinations of the template's links, in document order for a message with `products` products. */
export function destinations(event) {
  return [
    ...["new", "kitchen", "trail"].map((c) => `${SITE}/collections/${c}?ref=nav`),
    `${SITE}/collections/autumn?ref=hero`,
    ...event.products.flatMap((p) => [`${p.url}?ref=img`, p.url]),
    `${SITE}/cart?restore=${event.cart_id}`,
    `${SITE}/journal/pear-ginger-crumble`,
    `${SITE}/pages/faq`,
    `${SITE}/pages/returns`,
  ];
}

const FIRST = ["Chloé", "Jörg", "Ada", "Benedikt", "Inès", "Hiro", "Mona", "Zoë", "Femi", "Greta", "Luis", "Oona"];
const LAST = ["Müller", "Okafor", "García", "Tanaka", "Dubois", "Nguyen", "Kowalski", "Jensen", "Rossi", "Haddad"];
const CITIES = ["Portland", "Zürich", "Montréal", "Kyoto", "Lisbon", "Bergen", null];
const PRODUCTS = [
  ["Enamel camp mug", "Mugs", 18], ["Merino wool throw", "Home", 149], ["Balsam and cedar soy candle", "Home", 28],
  ["Cast-iron skillet, 10\"", "Kitchen", 64], ["Crème brûlée ramekins (set of 4)", "Kitchen", 36], ["Linen tea towel", "Kitchen", 14],
  ["Trail thermos, 750 ml", "Trail", 42], ["Waxed canvas tote", "Trail", 78], ["Pour-over coffee set", "Coffee", 56],
  ["Stoneware tea pot", "Tea", 48], ["Wool camp socks", "Trail", 24], ["Maple serving board", "Kitchen", 52],
].map(([name, category, price], i) => {
  const slug = name.toLowerCase().normalize("NFD").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return {
    product_id: `p-${100 + i}`,
    name,
    category,
    price,
    url: `${SITE}/products/${slug}`,
    image_url: `https://cdn.juniperandpine.example/products/${slug}-400.jpg`,
    description: `${name} — made in small batches in Maine from materials we chose for how they age, not how they photograph.`,
  };
});

/**
 * `count` recipients, each with the event the email is about (4 products). Deterministic; `contact` holds
 * what Tern stores in the contacts row, `event` the message's data.
 */
export function recipients(count, seed = 7) {
  const random = rng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  return Array.from({ length: count }, (_, i) => {
    const first = FIRST[i % FIRST.length];
    const last = pick(LAST);
    const products = [];
    while (products.length < 4) {
      const p = pick(PRODUCTS);
      if (products.some((x) => x.product_id === p.product_id)) continue;
      products.push({ ...p, quantity: 1 + Math.floor(random() * 2), ...(random() < 0.3 ? { compare_at: Math.round(p.price * 1.25) } : {}) });
    }
    const value = products.reduce((s, p) => s + p.price * p.quantity, 0);
    const city = pick(CITIES);
    return {
      contact: {
        email: `${first.normalize("NFD").replace(/[^a-z]/gi, "").toLowerCase()}.${last.normalize("NFD").replace(/[^a-z]/gi, "").toLowerCase()}.${i}@example.com`,
        firstName: first,
        lastName: last,
        timezone: pick(["Europe/Berlin", "America/New_York", "Asia/Tokyo"]),
        locale: "en-US",
        country: "US",
        properties: { ...(city ? { city } : {}), vip: random() < 0.25, customer_since: String(2019 + Math.floor(random() * 6)) },
      },
      event: { cart_id: `cart_${1000 + i}`, coupon: "slowmornings", discount: 15, value, currency: "USD", products },
    };
  });
}
