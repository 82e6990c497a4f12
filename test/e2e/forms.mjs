// Browser test of signup forms, double opt-in and the preference center: on a fresh wrangler dev, a form is built in
// the Forms section and its snippet pasted into a static page served from another local origin; a person fills it
// in (after a validation error), confirms from the email in the Outbox, the welcome flow sends, and from that email
// opens the preference center, adds a topic, pauses, then unsubscribes from everything. A name with a script in it
// is shown escaped everywhere, and the plain HTML form works with JavaScript off. Fails on any console error or
// dialog. Run with `npm run test:e2e` (builds web/dist first). Screenshots go to test-output/forms-*.png.
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { freePort } from "../support/dev-server.mjs";
import { assert, ownerApi, runBrowserTest, sleep } from "./harness.mjs";

const OWNER = { email: "owner@example.com", password: "correct horse battery staple" };
const STORE = "Fern & Fable";
const FORM = "Footer signup";
const NAME = "Ada <script>alert(1)</script>";
const EMAIL = "ada.lovelace@example.com";
const CONFIRM_SUBJECT = `Please confirm your subscription to ${STORE}`;
const WELCOME_SUBJECT = "Welcome to Fern & Fable";
const DAY = 86_400_000;


/** Retries `fn` until it returns something truthy (the queue and flows run in the background). */
async function until(what, fn, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(300);
  }
}

/** The shop's own website on another origin: a page with the pasted snippet, and one with the plain HTML form. */
async function startSite() {
  const port = await freePort();
  const pages = new Map();
  const srv = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    const html = pages.get(path);
    if (req.method === "GET" && html) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      return res.end(html);
    }
    res.writeHead(path === "/favicon.ico" ? 204 : 404);
    res.end();
  });
  await new Promise((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(port, "127.0.0.1", resolve);
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    // Loud host styles: none of them may reach the form inside its Shadow DOM.
    set: (path, title, body) =>
      pages.set(
        path,
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><style>
body{margin:0;font:17px/1.6 Georgia,serif;background:#fbf7f0;color:#3b2f2a}
header{padding:18px 32px;background:#2f4f3a;color:#fff;font-size:22px}
main{max-width:720px;margin:0 auto;padding:24px 32px}
button{background:#ff0000;color:#ffff00;font-family:Impact,sans-serif}
label{text-transform:uppercase}
</style></head><body><header>${STORE}</header><main><h1>${title}</h1>
<p>Linen, stoneware and small-batch candles, made in Portsmouth.</p>
${body}
<p>Free delivery on orders over £40.</p></main></body></html>`,
      ),
    stop: () => new Promise((r) => srv.close(() => r())),
  };
}

await runBrowserTest("forms", async ({ server, newPage, usePage, step, shot, allowing, problem, cleanup, log }) => {
  const site = await startSite();
  cleanup(site.stop);
  const base = server.url;
  log(`the shop's site is ${site.origin}; seeding`);

  // ---- through the API: the store, topics, a welcome flow on the newsletter topic --------------------------------
  const call = await ownerApi(base);
  await call("PATCH", "/api/settings", {
    store: { name: STORE, address: "1 Harbour Street, Portsmouth PO1 2AB, UK", website: "https://fernandfable.example", brandColor: "#2f6f4f" },
    sender: { fromName: STORE, fromEmail: "hello@fernandfable.example" },
    sending: { publicUrl: base },
  });
  await call("POST", "/api/topics", { key: "newsletter", name: "Newsletter", description: "New arrivals and offers, twice a month", kind: "marketing", doubleOptIn: true });
  await call("POST", "/api/topics", { key: "restocks", name: "Restock alerts", description: "When a sold-out piece is back", kind: "marketing", doubleOptIn: true });
  await call("POST", "/api/topics", { key: "orders", name: "Order updates", kind: "transactional", doubleOptIn: false });
  const welcome = await call("POST", "/api/templates", {
    name: "Welcome",
    subject: WELCOME_SUBJECT,
    html: '<h1 style="margin:0 0 16px">Welcome, {{ contact.first_name | default: "friend" }}</h1><p>Thanks for joining. Here is what is new this week.</p><p><a href="https://fernandfable.example/new">See new arrivals</a></p>',
    layout: "default",
  });
  const flow = await call("POST", "/api/flows", {
    name: "Welcome series",
    definition: { trigger: { type: "topic", topic: "newsletter" }, entry: "hi", nodes: { hi: { type: "send", templateId: welcome.id, next: null } } },
  });
  await call("POST", `/api/flows/${flow.id}/publish`);
  const contactOf = async (email) => {
    const { items } = await call("GET", `/api/contacts?q=${encodeURIComponent(email)}&kind=all`);
    const hit = items.find((c) => c.email === email);
    return hit ? call("GET", `/api/contacts/${hit.id}`) : null;
  };
  const eventsOf = async (id, name) => (await call("GET", `/api/contacts/${id}/events?name=${encodeURIComponent(name)}&limit=50`)).items;
  const outboxTo = async (email, subject) => {
    const { items } = await call("GET", `/api/outbox?q=${encodeURIComponent(email)}&limit=50`);
    return items.find((m) => m.toEmail === email && (!subject || m.subject === subject)) ?? null;
  };

  /** Every page of the run also fails on the form script's warnings and on any dialog (an injected alert). */
  const open = async (label, options) => {
    const p = await newPage({ label, timeout: 20_000, ...options });
    p.on("console", (m) => m.type() === "warning" && /Tern form/.test(m.text()) && problem(`${label}: ${m.text()}`));
    p.on("dialog", (d) => {
      problem(`${label}: a ${d.type()} dialog opened: ${d.message()} (injected script ran)`);
      d.dismiss().catch(() => {});
    });
    return p;
  };
  const page = await open("admin", { viewport: { width: 1280, height: 900 } });
  // The visitor is someone else, in their own browser profile.
  const visitor = await open("visitor", { viewport: { width: 1100, height: 860 } });
  const sidebar = (name) => page.locator(".sidebar").getByRole("link", { name, exact: true });

  // ---- 1. the form, built in the admin ---------------------------------------------------------------------------
  await step("sign in and open Forms", async () => {
    await page.goto(base);
    await page.getByLabel("Email").fill(OWNER.email);
    await page.getByLabel("Password").fill(OWNER.password);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await sidebar("Forms").click();
    await page.waitForURL(/\/signup-forms$/);
    await page.getByText("No forms yet").waitFor();
  });

  let formId = 0;
  await step("create a form for the newsletter (double opt-in)", async () => {
    await page.getByRole("button", { name: "New form" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill(FORM);
    const newsletter = dialog.getByRole("checkbox", { name: /^Newsletter/ });
    const restocks = dialog.getByRole("checkbox", { name: /^Restock alerts/ });
    if (!(await newsletter.isChecked())) await newsletter.check();
    if (await restocks.isChecked()) await restocks.uncheck();
    assert((await dialog.getByText("Order updates").count()) === 0, "a transactional topic is not offered on a signup form");
    await dialog.getByRole("button", { name: "Create form" }).click();
    await page.waitForURL(/\/signup-forms\/\d+$/);
    formId = Number(page.url().split("/").pop());
    await page.getByRole("heading", { name: FORM }).waitFor();
  });

  await step("editor: add a first name field and the shop's website, save", async () => {
    const fields = page.getByTestId("form-fields");
    await fields.locator('[data-field="email"]').waitFor();
    await page.locator(".ff-add").getByRole("button", { name: "First name", exact: true }).click();
    await fields.locator('[data-field="first_name"]').waitFor();
    const topic = page.getByTestId("form-topics").locator(".form-topic.is-on");
    await topic.getByText("Newsletter").waitFor();
    await topic.getByText("Double opt-in").waitFor();
    await page.getByRole("button", { name: "Add website" }).click();
    await page.getByLabel("Allowed website 1").fill(site.origin);
    await page.locator(".page-header").getByText("Unsaved changes", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Save form" }).click();
    await page.getByText("Form saved").waitFor();
    await page.locator(".page-header").getByText(/^Saved /).waitFor();
    // The live preview runs the real script with the new field.
    await page.frameLocator('iframe[title="Form preview"]').getByLabel("First name").waitFor();
    const saved = await call("GET", `/api/forms/${formId}`);
    const def = saved.definition;
    assert(def.fields.map((f) => f.key).join() === "email,first_name", `fields email and first_name, got ${def.fields.map((f) => f.key)}`);
    assert(def.topics.length === 1 && def.topics[0].key === "newsletter", `one topic, newsletter: ${JSON.stringify(def.topics)}`);
    assert(def.allowedOrigins.join() === site.origin, `allowed origin ${site.origin}, got ${def.allowedOrigins}`);
    await page.locator(".toast").first().waitFor({ state: "detached", timeout: 8000 }).catch(() => {});
    await shot("01-editor");
  });

  let script = "";
  let plainHtml = "";
  await step("copy the embed snippets shown in the editor", async () => {
    await page.getByRole("button", { name: "Embed code" }).click();
    const embed = page.getByTestId("form-embed");
    script = (await embed.locator('section[aria-labelledby="embed-script"] pre').innerText()).trim();
    plainHtml = (await embed.locator('section[aria-labelledby="embed-html"] pre').innerText()).trim();
    assert(script.includes(`data-tern-form="${formId}"`) && script.includes(`src="${base}/forms/${formId}.js"`), `the script snippet: ${script}`);
    assert(plainHtml.startsWith(`<form action="${base}/forms/${formId}" method="post"`), `the plain HTML snippet: ${plainHtml.slice(0, 120)}`);
    const js = await (await fetch(`${base}/forms/${formId}.js`)).arrayBuffer();
    console.log(`    the form's script: ${js.byteLength} bytes, ${gzipSync(Buffer.from(js)).length} gzipped`);
    await shot("02-embed", { fullPage: false });
  });

  // ---- 2. the snippet on the shop's own site ---------------------------------------------------------------------
  site.set("/", "Our story", `<h2>Stay in touch</h2>\n${script}`);
  site.set("/plain", "Newsletter (no JavaScript)", plainHtml);
  const host = visitor.locator(`tern-form[data-form="${formId}"]`);

  await step("the shop's page on another origin draws the form in a Shadow DOM", async () => {
    usePage(visitor);
    await visitor.goto(`${site.origin}/`);
    await host.getByLabel("Email").waitFor();
    await host.getByLabel("First name").waitFor();
    assert(await host.evaluate((el) => el.shadowRoot !== null && el.shadowRoot.querySelector("form") !== null), "the form is inside the element's shadow root");
    assert(await visitor.evaluate(() => document.querySelectorAll("form, input").length === 0), "nothing is added to the page's own DOM");
    // The page's loud button and label styles stay out of the form, and the form's styles stay out of the page.
    const button = host.getByRole("button", { name: "Subscribe" });
    const bg = await button.evaluate((el) => getComputedStyle(el).backgroundColor);
    assert(bg === "rgb(47, 111, 79)", `the button has the form's accent colour (the store's brand colour), got ${bg}`);
    const label = await host.locator("label", { hasText: "First name" }).evaluate((el) => getComputedStyle(el).textTransform);
    assert(label === "none", `the page's label style does not reach the form (text-transform ${label})`);
    const font = await visitor.locator("main > p").first().evaluate((el) => getComputedStyle(el).fontFamily);
    assert(/Georgia/.test(font), `the page keeps its own font, got ${font}`);
  });

  await step("a quick submit with a mistyped email shows the error next to the field", async () => {
    await host.getByLabel("Email").fill("ada.lovelace@example");
    // The browser logs the refused submission's 400 as a console error; that one is expected here.
    await allowing([/status of 400/], async () => {
      await host.getByRole("button", { name: "Subscribe" }).click();
      const error = host.locator(`#t${formId}-email-e`);
      await error.getByText(/valid email/i).waitFor();
      assert((await host.getByLabel("Email").getAttribute("aria-invalid")) === "true", "the email field is marked invalid");
      assert((await host.getByLabel("Email").getAttribute("aria-describedby")) === `t${formId}-email-e`, "the error is tied to the field");
      assert(await host.getByLabel("Email").evaluate((el) => el.getRootNode().activeElement === el), "focus moves to the field with the error");
      assert((await host.locator(".status.bad").count()) === 0, "no general error when the field says it");
    });
    await shot("03-embedded-error");
  });

  await step("a person fills it in (a name with a script in it) and is told to check their inbox", async () => {
    await host.getByLabel("Email").fill("");
    await host.getByLabel("Email").pressSequentially(EMAIL, { delay: 15 });
    await host.getByLabel("First name").click();
    await host.getByLabel("First name").pressSequentially(NAME, { delay: 15 });
    await host.getByText(/You can unsubscribe at any time/).waitFor();
    await host.getByRole("button", { name: "Subscribe" }).click();
    await host.getByText("Almost done: please check your inbox and click the link to confirm your subscription.").waitFor();
    assert((await host.locator("form").count()) === 0, "the message replaces the form");
    await shot("04-embedded-success");
    const contact = await until("the contact", () => contactOf(EMAIL));
    assert(contact.firstName === NAME, `the name is stored as typed, got ${JSON.stringify(contact.firstName)}`);
    const sub = contact.subscriptions.find((s) => s.key === "newsletter");
    assert(sub?.status === "pending", `the newsletter subscription waits for confirmation, got ${JSON.stringify(sub)}`);
    assert(sub.pageUrl === `${site.origin}/` && sub.ip && /You can unsubscribe/.test(sub.consentText), `the consent record: ${JSON.stringify(sub)}`);
  });

  // ---- 3. double opt-in from the Outbox --------------------------------------------------------------------------
  let confirmUrl = "";
  let confirmId = "";
  await step("the confirmation email is in the Outbox; its link is taken from the email", async () => {
    usePage(page);
    // The send goes through the local queue; the Outbox page shows what is there when it opens.
    await until("the confirmation email", () => outboxTo(EMAIL, CONFIRM_SUBJECT), 30_000);
    await sidebar("Outbox").click();
    await page.getByRole("link", { name: CONFIRM_SUBJECT }).first().click();
    await page.waitForURL(/\/outbox\/m_/);
    confirmId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
    const mail = page.frameLocator('iframe[title="The email as the recipient sees it"]');
    const button = mail.getByRole("link", { name: "Yes, subscribe me" });
    await button.waitFor();
    confirmUrl = await button.getAttribute("href");
    assert(confirmUrl?.startsWith(`${base}/forms/confirm/`), `the button links to ${base}/forms/confirm/…, got ${confirmUrl}`);
    // The name is escaped in the email.
    await mail.getByText(`Hi ${NAME},`).waitFor();
    const html = await (await page.request.get(`${base}/api/outbox/${encodeURIComponent(confirmId)}/html`)).text();
    assert(html.includes("Hi Ada &lt;script&gt;alert(1)&lt;/script&gt;,") && !html.includes("<script>"), "the name is HTML-escaped in the email");
    await shot("05-outbox-confirmation");
  });

  await step("opening the link shows a button; nothing is confirmed by the GET", async () => {
    usePage(visitor);
    await visitor.goto(confirmUrl);
    await visitor.getByRole("heading", { name: "Confirm your subscription" }).waitFor();
    await visitor.getByText(`Hi ${NAME},`).waitFor();
    await visitor.getByRole("listitem").getByText("Newsletter").waitFor();
    // A second GET, as a mail scanner would make.
    assert((await fetch(confirmUrl)).ok, "a repeated GET answers");
    const contact = await contactOf(EMAIL);
    assert(contact.subscriptions.find((s) => s.key === "newsletter")?.status === "pending", "still pending after GETs");
    assert((await eventsOf(contact.id, "Subscribed")).length === 0, "no Subscribed event yet");
    await shot("06-confirm-page");
  });

  await step("the button confirms: subscribed, a Subscribed event, the welcome flow sends", async () => {
    await visitor.getByRole("button", { name: "Yes, subscribe me" }).click();
    await visitor.getByRole("heading", { name: "You are subscribed" }).waitFor();
    const contact = await contactOf(EMAIL);
    const sub = contact.subscriptions.find((s) => s.key === "newsletter");
    assert(sub?.status === "subscribed" && sub.confirmedAt >= sub.subscribedAt, `subscribed and confirmed: ${JSON.stringify(sub)}`);
    const events = await eventsOf(contact.id, "Subscribed");
    assert(events.length === 1 && events[0].properties.topic === "newsletter", `one Subscribed event for newsletter: ${JSON.stringify(events)}`);
    await until("the welcome email", () => outboxTo(EMAIL, WELCOME_SUBJECT), 30_000);
  });

  // ---- 4. the preference center, from the welcome email ---------------------------------------------------------
  let preferencesUrl = "";
  await step("the welcome email in the Outbox links to the preference center", async () => {
    usePage(page);
    await sidebar("Outbox").click();
    await page.getByRole("link", { name: WELCOME_SUBJECT }).click();
    const mail = page.frameLocator('iframe[title="The email as the recipient sees it"]');
    await mail.getByRole("heading", { name: `Welcome, ${NAME}` }).waitFor();
    const link = mail.getByRole("link", { name: "Email preferences" });
    preferencesUrl = await link.getAttribute("href");
    assert(preferencesUrl?.startsWith(`${base}/`), `the preferences link points at Tern, got ${preferencesUrl}`);
    await page.locator(".message-meta").getByText("Marketing").waitFor();
  });

  await step("preference center: the name is escaped, add a topic, pause for 30 days, save", async () => {
    usePage(visitor);
    await visitor.goto(preferencesUrl);
    await visitor.waitForURL(/\/p\/[^/]+$/);
    await visitor.getByRole("heading", { name: "Your email preferences" }).waitFor();
    await visitor.getByText(`a••••••@example.com`).waitFor();
    assert((await visitor.getByLabel("First name").inputValue()) === NAME, "the first name field holds the name as typed");
    assert(await visitor.getByRole("checkbox", { name: /Newsletter/ }).isChecked(), "Newsletter is ticked");
    assert(!(await visitor.getByRole("checkbox", { name: /Restock alerts/ }).isChecked()), "Restock alerts is not");
    await visitor.getByText("Order updates: always sent").waitFor();
    await visitor.getByRole("checkbox", { name: /Restock alerts/ }).check();
    await visitor.getByLabel("Pause marketing email for a while.").selectOption("30");
    await visitor.getByRole("button", { name: "Save preferences" }).click();
    await visitor.getByText("Your preferences are saved.").waitFor();
    const pausedLine = visitor.getByText(/^Paused until \d{1,2} \p{L}+ \d{4}\./u);
    await pausedLine.waitFor();
    const contact = await contactOf(EMAIL);
    assert(contact.firstName === NAME, `the name round-trips unchanged (no double escaping), got ${JSON.stringify(contact.firstName)}`);
    const status = Object.fromEntries(contact.subscriptions.map((s) => [s.key, s.status]));
    assert(status.newsletter === "subscribed" && status.restocks === "subscribed", `both topics subscribed: ${JSON.stringify(status)}`);
    const days = (contact.pausedUntil - Date.now()) / DAY;
    assert(days > 29.9 && days <= 30, `paused for 30 days, got ${days.toFixed(2)} days`);
    const { store } = await call("GET", "/api/settings");
    const shown = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: contact.timezone || store.timezone }).format(contact.pausedUntil);
    assert((await pausedLine.innerText()).includes(shown), `the page and the API agree on the date (${shown})`);
    const updated = await eventsOf(contact.id, "Preferences Updated");
    assert(updated.length === 1 && updated[0].properties.paused_until, `a Preferences Updated event with the pause: ${JSON.stringify(updated)}`);
    const subscribed = await eventsOf(contact.id, "Subscribed");
    assert(subscribed.some((e) => e.properties.topic === "restocks"), `a Subscribed event for the new topic: ${JSON.stringify(subscribed)}`);
    await shot("07-preferences");
  });

  await step("preference center: unsubscribe from everything", async () => {
    await visitor.getByRole("button", { name: "Unsubscribe from all marketing email" }).click();
    await visitor.getByRole("status").getByText("You are unsubscribed from all marketing email. Choose a topic below to hear from us again.").waitFor();
    assert((await visitor.getByText(/You are unsubscribed from all marketing email/).count()) === 1, "the page says it once");
    assert(!(await visitor.getByRole("checkbox", { name: /Newsletter/ }).isChecked()), "no topic is ticked any more");
    const contact = await contactOf(EMAIL);
    assert(contact.status === "unsubscribed", `the contact is unsubscribed, got ${contact.status}`);
    const events = await eventsOf(contact.id, "Unsubscribed");
    assert(events.some((e) => e.properties.scope === "all"), `an Unsubscribed event: ${JSON.stringify(events)}`);
    const sub = contact.subscriptions.find((s) => s.key === "newsletter");
    assert(sub.consentText && sub.pageUrl === `${site.origin}/`, `the consent record is kept: ${JSON.stringify(sub)}`);
    await shot("08-preferences-unsubscribed");
  });

  // ---- 5. the name in the admin ------------------------------------------------------------------------------------
  await step("the admin's contact page shows the name as text, with the consent record", async () => {
    usePage(page);
    await sidebar("Contacts").click();
    await page.getByLabel("Search contacts").fill(EMAIL);
    await page.getByRole("link", { name: NAME }).first().click();
    await page.waitForURL(/\/contacts\/\d+$/);
    await page.getByRole("heading", { name: NAME, level: 1 }).waitFor();
    await page.getByText(`${site.origin}/`).first().waitFor();
    assert((await page.evaluate(() => [...document.scripts].filter((s) => s.textContent.includes("alert(1)")).length)) === 0, "no script element from the name");
    await shot("09-contact");
    await sidebar("Outbox").click();
    await page.getByRole("link", { name: CONFIRM_SUBJECT }).waitFor();
  });

  // ---- 6. the plain HTML form, without JavaScript -----------------------------------------------------------------
  await step("with JavaScript off, the plain HTML form posts and comes back to the shop's site", async () => {
    const p = await open("no-js visitor", { javaScriptEnabled: false, viewport: { width: 1000, height: 800 } });
    usePage(p);
    try {
      await p.goto(`${site.origin}/plain`);
      await p.getByLabel("Email").fill("grace@example.com");
      await p.getByLabel("First name").fill("Grace");
      await p.getByRole("button", { name: "Subscribe" }).click();
      // Back on the shop's site with the outcome in the fragment. A cross-origin Referer carries only the origin, so
      // without a redirect_to field in the form the visitor lands on the site's home page.
      await p.waitForURL(`${site.origin}/#tern-form=subscribed`);
      await p.getByRole("heading", { name: "Our story" }).waitFor();
    } finally {
      await p.context().close();
    }
    const grace = await until("the no-JS contact", () => contactOf("grace@example.com"));
    assert(grace.subscriptions.find((s) => s.key === "newsletter")?.status === "pending", "a pending subscription from the plain form");
  });

  await step("plain HTML posts: redirect back only to the allowed origin", async () => {
    const post = (fields, headers) =>
      fetch(`${base}/forms/${formId}`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams(fields).toString(),
      });
    let res = await post({ email: "hedy@example.com", redirect_to: `${site.origin}/plain?from=footer` }, { origin: site.origin });
    assert(res.status === 303 && res.headers.get("location") === `${site.origin}/plain?from=footer#tern-form=subscribed`, `303 back to the page, got ${res.status} ${res.headers.get("location")}`);
    res = await post({ email: "not-an-email" }, { origin: site.origin, referer: `${site.origin}/plain` });
    assert(res.status === 303 && res.headers.get("location") === `${site.origin}/plain#tern-form=error-invalid_request`, `an error goes back too, got ${res.status} ${res.headers.get("location")}`);
    res = await post({ email: "mallory@example.com", redirect_to: "https://evil.example/phish" }, { referer: "https://evil.example/" });
    assert(res.status === 200 && !res.headers.get("location") && (await res.text()).includes("Thank you"), `no redirect to a foreign site, got ${res.status} ${res.headers.get("location")}`);
    res = await post({ email: "mallory@example.com" }, { origin: "https://evil.example" });
    assert(res.status === 403 && !res.headers.get("location"), `a post from a foreign origin is refused, got ${res.status}`);
  });
});
