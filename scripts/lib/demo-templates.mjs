// Email templates of the demo store, written the way a shop owner would: Liquid over contact, event and store.
// The two newsletters the demo has already sent list their links, in the order the email shows them, so the
// seeded clicks point at real links of the email (the click token's link index counts them the same way).
import { PRODUCTS, SITE } from "./demo-catalog.mjs";

const button = (href, label) =>
  `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:24px 0"><tr><td style="border-radius:6px;background:#2f6f4f"><a href="${href}" style="display:inline-block;padding:12px 22px;color:#ffffff;text-decoration:none;font-weight:600">${label}</a></td></tr></table>`;

const product = (id) => PRODUCTS.find((p) => p.id === id);

/** `<li>` lines for products with a note each; the links are recorded in `links`. */
function picks(items, links) {
  return items
    .map(([id, note]) => {
      const p = product(id);
      links.push({ url: p.url, product: p.id, weight: 2 });
      return `  <li><a href="${p.url}">${p.name}</a> — ${note}</li>`;
    })
    .join("\n");
}

const springLinks = [];
const springHtml = `<h1 style="font-size:24px;margin:0 0 16px">Spring picks for the table and garden</h1>
<p>Hi {{ contact.first_name | default: "there" }}, the evenings are getting longer and the seed trays are out on every windowsill here. A few new things we're loving this spring:</p>
<ul>
${picks(
  [
    ["jp-1014", "speckled stoneware, thrown in small batches in Portland."],
    ["jp-1015", "stonewashed, softer with every wash."],
    ["jp-1047", "three sizes, for herbs on the sill or tomatoes on the step."],
    ["jp-1045", "twelve varieties we grow ourselves."],
  ],
  springLinks,
)}
</ul>
<p>And from the journal: <a href="${SITE}/journal/starting-seeds-indoors">starting seeds on a windowsill</a>.</p>
${button(`${SITE}/collections/spring`, "Shop spring picks")}`;
springLinks.push({ url: `${SITE}/journal/starting-seeds-indoors`, weight: 1 }, { url: `${SITE}/collections/spring`, category: ["Tableware", "Garden"], weight: 6 });

const summerLinks = [];
const summerHtml = `{% assign code = "SUMMER20" %}<h1 style="font-size:24px;margin:0 0 16px">Summer sale: 20% off outdoor and garden</h1>
<p>Hi {{ contact.first_name | default: "there" }}, long days call for long lunches outside. Until Sunday, everything for the garden, the campsite and the beach is <strong>20% off</strong> with the code <strong>{{ code }}</strong>.</p>
<ul>
${picks(
  [
    ["jp-1042", "the one everybody asks about."],
    ["jp-1038", "for cool evenings by the fire."],
    ["jp-1043", "solid copper, it only gets better with age."],
    ["jp-1034", "coffee at the campsite."],
  ],
  summerLinks,
)}
</ul>
${button(`${SITE}/collections/outdoor`, "Shop the summer sale")}
<p style="color:#6b7280;font-size:14px">The code works on the <a href="${SITE}/collections/garden">garden</a> and <a href="${SITE}/collections/outdoor">outdoor</a> collections until Sunday at midnight.</p>`;
summerLinks.push(
  { url: `${SITE}/collections/outdoor`, category: ["Outdoor"], weight: 7 },
  { url: `${SITE}/collections/garden`, category: ["Garden"], weight: 1.5 },
  { url: `${SITE}/collections/outdoor`, category: ["Outdoor"], weight: 1 },
);

export const TEMPLATES = [
  {
    name: "Welcome — first email",
    subject: "Welcome to Juniper & Pine, {{ contact.first_name | default: 'friend' }}",
    preheader: "Here's 10% off your first order, and what to expect from us.",
    html: `<h1 style="font-size:24px;margin:0 0 16px">Welcome, {{ contact.first_name | default: "friend" }}!</h1>
<p>Thanks for joining us. We make small-batch goods for the kitchen and the trail, and we'll write when we have something worth your time: new arrivals, seasonal recipes, and the occasional sale.</p>
<p>To say hello, here's <strong>10% off</strong> your first order with the code <strong>HELLO10</strong>.</p>
${button("https://juniperandpine.example/collections/new", "Shop new arrivals")}
<p>Happy to have you,<br>Maya at {{ store.name }}</p>`,
  },
  {
    name: "Abandoned cart — reminder",
    subject: "{{ contact.first_name | default: 'Hi' }}, you left something in your cart",
    preheader: "Your picks are saved — complete your order in a click.",
    html: `<h1 style="font-size:24px;margin:0 0 16px">Still thinking it over?</h1>
<p>You left these in your cart. We've saved them for you:</p>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">
{% for p in event.products %}<tr>
  <td width="72" style="padding:8px 12px 8px 0"><img src="{{ p.image_url }}" alt="{{ p.name }}" width="64" height="64" style="border-radius:6px;display:block"></td>
  <td style="padding:8px 0"><a href="{{ p.url }}" style="color:#1f2937;text-decoration:none;font-weight:600">{{ p.name }}</a><br><span style="color:#6b7280">Qty {{ p.quantity | default: 1 }}</span></td>
  <td align="right" style="padding:8px 0;font-weight:600">{% assign qty = p.quantity | default: 1 %}{{ p.price | times: qty | money }}</td>
</tr>{% endfor %}
</table>
<p style="text-align:right;font-weight:700">Total {{ event.value | money }}</p>
${button("https://juniperandpine.example/cart", "Return to your cart")}
<p style="color:#6b7280;font-size:14px">Questions about sizing or shipping? Just reply to this email.</p>`,
  },
  {
    name: "Newsletter — autumn picks",
    subject: "Autumn picks for slow mornings",
    preheader: "Enamel mugs, wool throws and a pear-ginger crumble recipe.",
    html: `<h1 style="font-size:24px;margin:0 0 16px">Autumn picks for slow mornings</h1>
<p>Hi {{ contact.first_name | default: "there" }}, the mornings are cooler and the kettle is on more often. A few things we're loving this month:</p>
<ul>
  <li><a href="https://juniperandpine.example/products/enamel-camp-mug">Enamel camp mug</a> — holds heat, survives drops.</li>
  <li><a href="https://juniperandpine.example/products/merino-wool-throw">Merino wool throw</a> — woven in Maine.</li>
  <li><a href="https://juniperandpine.example/journal/pear-ginger-crumble">Pear &amp; ginger crumble</a> — our favourite recipe of the season.</li>
</ul>
${button("https://juniperandpine.example/collections/autumn", "See the autumn collection")}`,
  },
  {
    key: "spring",
    name: "Newsletter — spring picks",
    subject: "Spring picks for the table and garden",
    preheader: "Speckled plates, linen napkins and seeds for the windowsill.",
    html: springHtml,
    links: springLinks,
  },
  {
    key: "summer",
    name: "Summer sale — 20% off outdoor",
    subject: "Summer sale: 20% off outdoor and garden",
    preheader: "Hammocks, camp blankets and watering cans, until Sunday.",
    html: summerHtml,
    links: summerLinks,
    coupon: ["SUMMER20", 0.2],
  },
];
