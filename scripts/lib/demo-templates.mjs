// Email templates of the demo store, written the way a shop owner would: Liquid over contact, event and store.

const button = (href, label) =>
  `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:24px 0"><tr><td style="border-radius:6px;background:#2f6f4f"><a href="${href}" style="display:inline-block;padding:12px 22px;color:#ffffff;text-decoration:none;font-weight:600">${label}</a></td></tr></table>`;

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
];
