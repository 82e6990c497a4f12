/**
 * The emails of the prebuilt flows, written the way a good small shop would: warm, concrete, short. Liquid over
 * contact, event (the flow's triggering event) and store; every value has a default, so an email still reads
 * well when a field is missing. Codes sit in one `{% assign %}` at the top of each email that offers one.
 */

export interface PrebuiltTemplate {
  /** unique across the catalog */
  key: string;
  name: string;
  subject: string;
  preheader: string;
  html: string;
}

/** The shop's address for buttons, and the first name with a friendly default. */
const SHOP = `{% assign shop_url = store.website | default: "#" %}`;

/** The house button: a table cell, so Outlook draws it too; the store's brand colour. */
const button = (href: string, label: string) =>
  `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:24px 0"><tr><td style="border-radius:6px;background:{{ store.brand_color | default: '#2f6f4f' }}"><a href="${href}" style="display:inline-block;padding:12px 22px;color:#ffffff;text-decoration:none;font-weight:600">${label}</a></td></tr></table>`;

const codeBox = (note: string) =>
  `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 16px"><tr><td style="border:2px dashed #9ca3af;border-radius:6px;padding:12px 20px;font-size:20px;font-weight:700;letter-spacing:2px;color:#111827">{{ code }}</td></tr></table>
<p style="color:#6b7280;font-size:14px">${note}</p>`;

const setCode = (code: string) =>
  `{% comment %}Create the code ${code} in your shop (with the same discount and expiry), or change it here.{% endcomment %}{% assign code = "${code}" %}`;

const h1 = (text: string) => `<h1 style="font-size:24px;line-height:1.3;margin:0 0 16px">${text}</h1>`;
const signOff = `<p>Warmly,<br>The {{ store.name }} team</p>`;
const muted = (text: string) => `<p style="color:#6b7280;font-size:14px">${text}</p>`;

/**
 * The products of the triggering event (cart or order) as rows: picture, name, quantity, line price; then the
 * total the event gives (value, total or revenue), else the sum of the lines. Sets `items_total`.
 */
const ITEMS = `{% assign items_total = 0 %}{% if event.products.size > 0 %}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;margin:8px 0">
{% for p in event.products %}{% assign qty = p.quantity | default: 1 %}{% assign line = p.price | default: 0 | times: qty %}{% assign items_total = items_total | plus: line %}<tr>
  <td width="76" style="padding:12px 12px 12px 0;border-bottom:1px solid #e5e7eb;vertical-align:top">{% if p.image_url %}<img src="{{ p.image_url }}" alt="" width="64" height="64" style="border-radius:6px;display:block">{% endif %}</td>
  <td style="padding:12px 0;border-bottom:1px solid #e5e7eb;vertical-align:top"><a href="{{ p.url | default: shop_url }}" style="color:#1f2937;text-decoration:none;font-weight:600">{{ p.name | default: "Item" }}</a><br><span style="color:#6b7280;font-size:14px">Qty {{ qty }}</span></td>
  <td align="right" style="padding:12px 0;border-bottom:1px solid #e5e7eb;vertical-align:top;font-weight:600;white-space:nowrap">{% if p.price %}{{ line | money: event.currency }}{% endif %}</td>
</tr>{% endfor %}
</table>{% endif %}
{% assign items_total = event.value | default: event.total | default: event.revenue | default: items_total %}{% if items_total > 0 %}
<p style="text-align:right;font-weight:700;margin:12px 0 0">Total {{ items_total | money: event.currency }}</p>{% endif %}`;

/** Where the cart lives: the event's checkout link when the storefront sends one, else the shop. */
const CART_URL = `${SHOP}{% assign cart_url = event.checkout_url | default: event.cart_url | default: shop_url %}`;

const hi = `{{ contact.first_name | default: "there" }}`;

export const EMAILS = {
  // ---- welcome series ---------------------------------------------------------------------------------
  welcome_1: {
    name: "Welcome 1 — hello and our story",
    subject: "Welcome to {{ store.name }}, {{ contact.first_name | default: 'friend' }}",
    preheader: "Thanks for joining. Here's who we are and what to expect from us.",
    html: `${SHOP}{% comment %}Tell your own story here: who you are, why you started, what makes your products different.{% endcomment %}
${h1(`Welcome, {{ contact.first_name | default: "friend" }}!`)}
<p>Thanks for joining the {{ store.name }} list. We're really glad you're here.</p>
<p>A little about us: we started {{ store.name }} because we wanted to sell things we'd happily use every day ourselves. We keep our range small, we choose materials we trust, and every order is packed by a person who cares how it arrives.</p>
<p>Here's what you can expect from us: new arrivals before anyone else, the stories behind what we make, and now and then an offer. About twice a month, and never more than we'd want to read ourselves.</p>
${button("{{ shop_url }}", "Visit the shop")}
<p>If you have a question, just reply. A real person reads every email.</p>
${signOff}`,
  },
  welcome_2: {
    name: "Welcome 2 — best-sellers",
    subject: "Where to start: our best-sellers",
    preheader: "The pieces people buy once, then come back for as gifts.",
    html: `${SHOP}{% comment %}Link the button to your best-sellers and name two or three of them below.{% endcomment %}
${h1("The ones people come back for")}
<p>Hi ${hi}, if you're wondering where to start, start where most of our customers did.</p>
<p>Our best-sellers have one thing in common: people buy one for themselves, then come back for a second as a gift. They're the pieces we restock first and the ones we'd recommend to a friend.</p>
${button("{{ shop_url }}", "Shop the best-sellers")}
<p>Not sure what suits you? Reply and tell us what you're looking for. We'll point you to the right thing.</p>
${signOff}`,
  },
  welcome_3: {
    name: "Welcome 3 — first-order offer",
    subject: "A little something for your first order",
    preheader: "10% off, on us. Good for the next 7 days.",
    html: `${SHOP}${setCode("WELCOME10")}
${h1(`Here's 10% off, ${hi}`)}
<p>You've been with us for a week now, so here's a small thank-you: <strong>10% off your next order</strong>.</p>
${codeBox("Enter the code at checkout. It's good for 7 days, on anything in the shop.")}
${button("{{ shop_url }}", "Use my 10% off")}
${signOff}`,
  },

  // ---- abandoned cart ---------------------------------------------------------------------------------
  cart_1: {
    name: "Abandoned cart 1 — reminder",
    subject: "{{ contact.first_name | default: 'Hi' }}, you left something in your cart",
    preheader: "We saved your cart, so you can pick up where you left off.",
    html: `${CART_URL}
${h1("Still thinking it over?")}
<p>You left these in your cart. We've saved them for you:</p>
${ITEMS}
${button("{{ cart_url }}", "Return to your cart")}
${muted("Questions about sizing, shipping or returns? Just reply to this email. We're happy to help.")}
${signOff}`,
  },
  cart_2: {
    name: "Abandoned cart 2 — 10% off",
    subject: "Your cart is waiting, and here's 10% off",
    preheader: "A small nudge to help you decide.",
    html: `${CART_URL}${setCode("CART10")}
${h1("Here's a little help deciding")}
<p>Hi ${hi}, your cart is still saved. If the price was what held you back, this should help: <strong>10% off</strong> your order with this code.</p>
${codeBox("Enter it at checkout. Valid for 48 hours.")}
${ITEMS}
${button("{{ cart_url }}", "Complete my order")}
${muted("Questions before you order? Reply to this email and a real person will answer.")}
${signOff}`,
  },
  cart_3: {
    name: "Abandoned cart 3 — last call",
    subject: "Last call: we can't hold your cart much longer",
    preheader: "Popular items sell out, and your 10% off ends soon.",
    html: `${CART_URL}${setCode("CART10")}
${h1("Last call for your cart")}
<p>Hi ${hi}, we can only hold your items a little longer, and some of them are popular. After that we'll let your cart go.</p>
<p>Your code <strong>{{ code }}</strong> still works today if you'd like to finish your order:</p>
${ITEMS}
${button("{{ cart_url }}", "Finish my order")}
${muted("Changed your mind? No problem. This is the last reminder you'll get about this cart.")}
${signOff}`,
  },

  // ---- browse abandonment -----------------------------------------------------------------------------
  browse_1: {
    name: "Browse abandonment — take another look",
    subject: "Still thinking about it, {{ contact.first_name | default: 'friend' }}?",
    preheader: "The {{ event.name | default: 'piece' }} you were looking at is still here.",
    html: `${SHOP}{% assign item = event %}{% if event.name == blank and event.products.size > 0 %}{% assign item = event.products.first %}{% endif %}
${h1("Take another look?")}
<p>Hi ${hi}, we noticed you were looking at this earlier. In case you'd like a second look, here it is:</p>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0">
<tr><td align="center" style="padding:8px 0">{% if item.image_url %}<a href="{{ item.url | default: shop_url }}"><img src="{{ item.image_url }}" alt="{{ item.name | default: 'Product' }}" width="280" style="border-radius:8px;display:block;max-width:100%"></a>{% endif %}</td></tr>
<tr><td align="center" style="padding:8px 0;font-size:18px;font-weight:700">{{ item.name | default: "The piece you were looking at" }}</td></tr>
{% if item.price %}<tr><td align="center" style="color:#374151">{{ item.price | money: event.currency }}</td></tr>{% endif %}
</table>
<div style="text-align:center">${button("{{ item.url | default: shop_url }}", "Take another look")}</div>
${muted("Not quite right? Reply and tell us what you're after. We'll help you find it.")}
${signOff}`,
  },

  // ---- post-purchase ----------------------------------------------------------------------------------
  post_1: {
    name: "Post-purchase 1 — thank you",
    subject: "Thank you for your order{% if contact.first_name %}, {{ contact.first_name }}{% endif %}!",
    preheader: "Here's your summary. We're getting it ready now.",
    html: `${SHOP}
${h1(`Thank you, ${hi}!`)}
<p>Your order means a lot to a small shop like ours. We're getting it ready now, and you'll get a separate email with tracking as soon as it's on its way.</p>
{% if event.order_id %}<p style="color:#6b7280;font-size:14px;margin-bottom:0">Order no. {{ event.order_id }}</p>{% endif %}
${ITEMS}
<p style="margin-top:24px">Anything wrong with your order, or want to change something? Reply to this email and we'll sort it out.</p>
${signOff}`,
  },
  post_2: {
    name: "Post-purchase 2 — tips and care",
    subject: "Getting the most from your {{ event.products.first.name | default: 'order' }}",
    preheader: "A few tips from the people who make it, so it lasts.",
    html: `${SHOP}{% comment %}Swap in care tips for what you sell: materials, cleaning, storage.{% endcomment %}
${h1("A few tips to make it last")}
<p>Hi ${hi}, your order should have arrived by now. Here's what we tell friends who buy from us:</p>
<ol style="padding-left:20px;margin:0 0 16px">
  <li style="margin-bottom:8px"><strong>Read the care label first.</strong> It's written for exactly what you bought, materials and all.</li>
  <li style="margin-bottom:8px"><strong>Clean gently, little and often.</strong> Mild soap and a soft cloth beat anything harsh.</li>
  <li style="margin-bottom:8px"><strong>Use it.</strong> Good things look better with a bit of wear. That's what they're made for.</li>
</ol>
<p>If something doesn't look or feel right, reply and tell us. We'd much rather fix it than have you put up with it.</p>
${button("{{ shop_url }}", "Read our care guides")}
${signOff}`,
  },
  post_3: {
    name: "Post-purchase 3 — review request",
    subject: "How are you getting on with your order?",
    preheader: "Two minutes of your time helps a small shop a lot.",
    html: `${SHOP}
${h1("How did we do?")}
<p>Hi ${hi}, it's been a couple of weeks since your order arrived. We'd love to know what you think. Honest reviews help other people choose, and they help us make things better.</p>
{% if event.products.size > 0 %}<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;margin:8px 0">
{% for p in event.products %}<tr>
  <td width="76" style="padding:12px 12px 12px 0;border-bottom:1px solid #e5e7eb">{% if p.image_url %}<img src="{{ p.image_url }}" alt="" width="64" height="64" style="border-radius:6px;display:block">{% endif %}</td>
  <td style="padding:12px 0;border-bottom:1px solid #e5e7eb;font-weight:600">{{ p.name | default: "Your item" }}</td>
  <td align="right" style="padding:12px 0;border-bottom:1px solid #e5e7eb;white-space:nowrap"><a href="{{ p.url | default: shop_url }}#reviews" style="font-weight:600">Write a review</a></td>
</tr>{% endfor %}
</table>{% else %}${button("{{ shop_url }}", "Write a review")}{% endif %}
<p>Not happy with something? Reply instead, and we'll make it right.</p>
${signOff}`,
  },
  post_4: {
    name: "Post-purchase 4 — goes well with",
    subject: "Picked to go with your {{ event.products.first.name | default: 'last order' }}",
    preheader: "A few favourites our customers pair with it.",
    html: `${SHOP}{% comment %}Link the button to a collection that goes with what people buy most.{% endcomment %}
${h1("Picked to go with it")}
<p>Hi ${hi}, it's been a month since your {{ event.products.first.name | default: "order" }} arrived. We hope it's already a favourite.</p>
<p>Customers who bought it often come back for something to go with it: a matching piece, a refill, or a gift for someone who admired theirs. We've gathered our favourites in one place.</p>
${button("{{ shop_url }}", "See what goes with it")}
${signOff}`,
  },

  // ---- win-back ---------------------------------------------------------------------------------------
  winback_1: {
    name: "Win-back 1 — we miss you",
    subject: "It's been a while, {{ contact.first_name | default: 'friend' }}",
    preheader: "Here's what's new at {{ store.name }} since your last order.",
    html: `${SHOP}
${h1("We miss you")}
<p>Hi ${hi}, it's been a few months since your last order, and we wanted to say hello.</p>
<p>A lot has happened since then: new pieces, a few old favourites back in stock, and some things we're quietly proud of. Come and have a look around.</p>
${button("{{ shop_url }}", "See what's new")}
<p>And if something about your last order wasn't right, reply and tell us. We'd really like to know.</p>
${signOff}`,
  },
  winback_2: {
    name: "Win-back 2 — 15% to come back",
    subject: "Come back for 15% off, {{ contact.first_name | default: 'friend' }}",
    preheader: "A thank-you for being a customer, just for you.",
    html: `${SHOP}${setCode("COMEBACK15")}
${h1("Here's 15% off, on us")}
<p>Hi ${hi}, you've bought from us before, and that means a lot. To welcome you back, here's <strong>15% off</strong> anything in the shop:</p>
${codeBox("Enter the code at checkout. It's good for the next 14 days.")}
${button("{{ shop_url }}", "Shop with 15% off")}
${signOff}`,
  },

  // ---- birthday ---------------------------------------------------------------------------------------
  birthday_1: {
    name: "Birthday — a gift from us",
    subject: "Happy birthday, {{ contact.first_name | default: 'friend' }}!",
    preheader: "A birthday gift from all of us at {{ store.name }}.",
    html: `${SHOP}${setCode("BIRTHDAY15")}
${h1(`Happy birthday, {{ contact.first_name | default: "friend" }}!`)}
<p>From all of us at {{ store.name }}: we hope today is a good one.</p>
<p>Here's a small gift to go with it: <strong>15% off</strong> anything you like, all week.</p>
${codeBox("Enter the code at checkout. It's good for 7 days.")}
${button("{{ shop_url }}", "Treat yourself")}
${signOff}`,
  },

  // ---- lead nurture -----------------------------------------------------------------------------------
  nurture_1: {
    name: "Lead nurture 1 — the guide",
    subject: "Start here: how to choose something that lasts",
    preheader: "Three questions we ask before we make anything.",
    html: `${SHOP}{% comment %}Put your own guide here, or link to it with the button.{% endcomment %}
${h1("How to choose something that lasts")}
<p>Hi ${hi}, thanks for signing up for our guides. Here's the first one: the three questions we ask before we make anything, and that are worth asking before you buy anything.</p>
<ol style="padding-left:20px;margin:0 0 16px">
  <li style="margin-bottom:8px"><strong>What is it made of?</strong> Good materials age well. Cheap ones only look good new.</li>
  <li style="margin-bottom:8px"><strong>Can it be cared for, or repaired?</strong> If not, it's built to be replaced.</li>
  <li style="margin-bottom:8px"><strong>Will you use it every week?</strong> The best price per use beats the lowest price.</li>
</ol>
${button("{{ shop_url }}", "Read the full guide")}
<p>Next time: a look at what this means in practice.</p>
${signOff}`,
  },
  nurture_2: {
    name: "Lead nurture 2 — case study",
    subject: "What 'built to last' looks like after five years",
    preheader: "A real example, and what we learned from it.",
    html: `${SHOP}{% comment %}Swap in a real customer story: a quote, a photo, and what changed for them.{% endcomment %}
${h1("What 'built to last' looks like")}
<p>Hi ${hi}, last time we talked about choosing things that last. Here's what that looks like in practice.</p>
<p>We often hear from customers who've used the same piece from us for years. They tell us the same three things: it still does the job, it looks better than when it was new, and when something did go wrong, we helped them fix it rather than sell them a new one.</p>
<p>That's the whole idea: fewer, better things, looked after properly.</p>
${button("{{ shop_url }}", "See the pieces they chose")}
${signOff}`,
  },
  nurture_3: {
    name: "Lead nurture 3 — offer (clicked)",
    subject: "Ready when you are: 10% off your first order",
    preheader: "You've read the guides. Here's a little push.",
    html: `${SHOP}${setCode("READY10")}
${h1(`Ready when you are, ${hi}`)}
<p>Thanks for reading our guides. If you've found something you like along the way, here's <strong>10% off</strong> your first order:</p>
${codeBox("Enter the code at checkout. It's good for 7 days.")}
${button("{{ shop_url }}", "Shop with 10% off")}
<p>Still deciding? Reply with what you're looking for, and we'll give you an honest recommendation.</p>
${signOff}`,
  },
  nurture_4: {
    name: "Lead nurture 4 — still useful? (no clicks)",
    subject: "Are these guides useful to you?",
    preheader: "Tell us what you'd rather read, or choose how often you hear from us.",
    html: `${SHOP}
${h1("Are these useful?")}
<p>Hi ${hi}, we've sent you a couple of guides, and we'd like to make sure they're worth your time.</p>
<p>If there's something you'd rather read about, reply and tell us. We read every answer. And if you'd like to hear from us less often, you can choose what you get on your <a href="{{ preferences_url }}">email preferences</a> page.</p>
${button("{{ shop_url }}", "Browse all our guides")}
${signOff}`,
  },

  // ---- sunset -----------------------------------------------------------------------------------------
  sunset_1: {
    name: "Sunset — still want to hear from us?",
    subject: "Still want to hear from us?",
    preheader: "One click keeps you on the list. Otherwise we'll stop emailing you.",
    html: `${SHOP}
${h1("Should we keep in touch?")}
<p>Hi ${hi}, we haven't seen you open our emails for a while, and we don't want to crowd your inbox.</p>
<p>If you'd like to keep hearing from {{ store.name }}, tap the button below. If we don't hear from you in the next two weeks, we'll take you off our newsletter. No hard feelings.</p>
${button("{{ shop_url }}", "Yes, keep me on the list")}
<p>Prefer fewer emails? <a href="{{ preferences_url }}">Choose what you get</a>. Or <a href="{{ unsubscribe_url }}">unsubscribe now</a>.</p>
${signOff}`,
  },
} satisfies Record<string, Omit<PrebuiltTemplate, "key">>;

export type EmailKey = keyof typeof EMAILS;

export const email = (key: EmailKey): PrebuiltTemplate => ({ key, ...EMAILS[key] });
