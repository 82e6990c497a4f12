// Browser test of the Campaigns section: a segment built in the Segments builder (live count), a campaign to it
// with an A/B subject test sent now, its live progress into the test phase, the winner picked by hand, the
// messages in the Outbox, opens and clicks in the report, the resend to non-openers, and the editor at 800 px.
// Run with `npm run test:e2e` (builds web/dist first). Screenshots go to test-output/campaigns-*.png.
import { assert, ownerApi, runBrowserTest, sleep } from "./harness.mjs";

const OWNER = { email: "owner@example.com", password: "correct horse battery staple" };
const CHROME_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
const LINK = "https://juniper.example/spring";
const SEGMENT = "UK subscribers";
const CAMPAIGN = "Spring sale UK";
const SUBJECT_A = "Spring is here: 20% off";
const SUBJECT_B = "{{ contact.first_name }}, your spring picks are in";

/** The store, a topic, a template that passes the compliance lint, 20 subscribed contacts (12 in GB) and some orders. */
async function seed(url) {
  const call = await ownerApi(url);
  await call("PATCH", "/api/settings", {
    store: { name: "Juniper & Co", address: "12 Harbour Street, Bristol BS1 4RN, United Kingdom", website: "https://juniper.example", timezone: "Europe/London", currency: "GBP" },
    sender: { fromName: "Juniper & Co", fromEmail: "hello@juniper.example" },
    sending: { publicUrl: url },
  });
  const topic = await call("POST", "/api/topics", { key: "newsletter", name: "Newsletter", description: "News and offers", kind: "marketing", doubleOptIn: false });
  const template = await call("POST", "/api/templates", {
    name: "Spring sale",
    subject: "Spring is here, {{ contact.first_name | default: 'friend' }}",
    preheader: "20% off everything this week",
    html: `<h1 style="margin:0 0 16px">Spring sale</h1><p>Fresh linen, new colours, 20% off until Sunday.</p><p><a href="${LINK}">Shop the sale</a></p>`,
    layout: "default",
  });
  const key = await call("POST", "/api/write-keys", { name: "Storefront", source: "shopify" });
  const names = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "John", "Radia", "Tim", "Hedy", "Edsger", "Donald", "Sophie", "Katherine", "Claude", "Mary", "Niklaus"];
  // One at a time: the same ids every run, so the A/B test buckets (hashed from ids) are the same too.
  for (const [i, n] of names.entries()) {
    await call("POST", "/api/contacts", { email: `${n.toLowerCase()}@example.com`, externalId: `cust-${i}`, firstName: n, lastName: "Example", country: i < 12 ? "GB" : "US", topics: { newsletter: "subscribed" } });
  }
  const now = Date.now();
  const batch = names.slice(0, 8).map((_, i) => ({
    type: "track",
    userId: `cust-${i}`,
    messageId: `order-${i}`,
    event: "Order Completed",
    timestamp: new Date(now - (i + 1) * 86_400_000).toISOString(),
    properties: { order_id: `o-${i}`, revenue: 40 + i * 5, currency: "GBP", products: [{ product_id: "linen-1", name: "Linen shirt", price: 40 + i * 5, quantity: 1 }] },
  }));
  const res = await fetch(`${url}/v1/batch`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Basic ${Buffer.from(`${key.key}:`).toString("base64")}` }, body: JSON.stringify({ batch }) });
  assert(res.ok, `events accepted (${res.status})`);
  return { call, topic, template };
}

/** Tracked links of an outbox message: its open pixel and click redirects (the HTML part is quoted-printable). */
function trackedLinks(raw) {
  const decoded = raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  const urls = [...new Set(decoded.match(/https?:\/\/[^\s"'<>]+\/[oc]\/[A-Za-z0-9_.-]+/g) ?? [])];
  return { open: urls.find((u) => /\/o\//.test(u)), clicks: urls.filter((u) => /\/c\//.test(u)) };
}

await runBrowserTest("campaigns", async ({ server, newPage, step, shot, allowing, log }) => {
  const base = server.url;
  log("seeding");
  const { call, topic } = await seed(base);
  // wrangler dev on a busy machine can take seconds per request: generous waits, exact conditions.
  const page = await newPage({ viewport: { width: 1280, height: 900 }, timeout: 20_000 });
  const sidebar = (name) => page.locator(".sidebar").getByRole("link", { name, exact: true });

  await step("sign in", async () => {
    await page.goto(base);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.getByLabel("Email").fill(OWNER.email);
    await page.getByLabel("Password").fill(OWNER.password);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  });

  await step("Segments: build a segment and watch its live count", async () => {
    await sidebar("Segments").click();
    await page.locator('tr[data-segment="Customers"]').waitFor();
    await page.getByRole("button", { name: "New segment" }).click();
    const count = page.getByTestId("segment-count-value");
    await count.getByText("20", { exact: true }).waitFor();
    await page.getByRole("button", { name: /^Profile property/ }).click();
    await page.getByRole("combobox", { name: "Property" }).selectOption("country");
    await page.getByLabel("Value", { exact: true }).fill("GB");
    await count.getByText("12", { exact: true }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill(SEGMENT);
    await page.locator(".countbar-state.is-live").waitFor();
    await page.getByRole("button", { name: "Create segment" }).click();
    await page.getByText(`Segment “${SEGMENT}” saved`).waitFor();
    await page.waitForURL(/\/segments\/\d+$/);
  });

  let campaignUrl = "";
  await step("Campaigns: create a draft; Send now lists what is missing beside the fields", async () => {
    await sidebar("Campaigns").click();
    await page.getByText("No campaigns yet").waitFor();
    await page.getByRole("button", { name: "New campaign" }).first().click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Campaign name").fill(CAMPAIGN);
    await dialog.getByLabel("Template").selectOption({ label: "Spring sale" });
    await dialog.getByRole("button", { name: "Create campaign" }).click();
    await page.waitForURL(/\/campaigns\/\d+$/);
    campaignUrl = page.url();
    await page.getByRole("heading", { name: CAMPAIGN }).waitFor();
    // The template's subject, rendered for a sample contact.
    await page.getByTestId("inbox-line").getByText("Spring is here, Jamie").waitFor();
    await page.getByRole("button", { name: "Send now", exact: true }).click();
    const issues = page.getByTestId("campaign-issues");
    await issues.getByText("Choose the topic the campaign is sent under").waitFor();
    await issues.getByText("Choose at least one segment or topic").waitFor();
    await page.locator("#camp-audience .field-error", { hasText: "Choose at least one segment or topic" }).waitFor();
    assert((await page.getByRole("dialog").count()) === 0, "no confirmation while something is missing");
  });

  await step("Editor: topic, audience with the live estimate, A/B subject test", async () => {
    await page.getByLabel("Sending topic").selectOption(String(topic.id));
    await page.getByRole("button", { name: "Add segment or topic" }).click();
    const search = page.getByLabel("Add segment or topic: search");
    await search.waitFor(); // the picker opens focused; typing before it exists would type into nothing
    await search.pressSequentially("UK sub");
    await page.getByRole("option", { name: /UK subscribers/ }).waitFor();
    await search.press("Enter");
    await page.getByTestId("audience-include").getByText(SEGMENT).waitFor();
    await page.getByTestId("campaign-estimate-value").getByText("12", { exact: true }).waitFor();
    await page.getByTestId("summary-recipients").getByText("12", { exact: true }).waitFor();
    assert((await page.getByTestId("campaign-issues").count()) === 0, "fixing the fields clears their issues");

    await page.getByLabel("Test variants before sending to everyone").check();
    await page.getByLabel("Subject A").fill(SUBJECT_A);
    await page.getByLabel("Subject B").fill(SUBJECT_B);
    await page.locator("#camp-share").fill("50");
    await page.getByLabel("Wait before choosing").selectOption("1");
    await page.getByTestId("ab-sentence").getByText("50% of the audience (about 6 people) gets A or B (25% each); after 1 h the variant with the higher human open rate goes to the remaining 50%.").waitFor();
    await page.locator('[data-save="saved"]').waitFor({ timeout: 30_000 });
    const saved = await call("GET", new URL(campaignUrl).pathname.replace(/^\//, "/api/"));
    assert(saved.abTest?.testShare === 50 && saved.abTest.waitHours === 1 && saved.abTest.variants[1].subject === SUBJECT_B, `the draft saved itself: ${JSON.stringify(saved.abTest)}`);
    assert(saved.estimate?.recipients === 12, `the API estimate is 12, got ${JSON.stringify(saved.estimate)}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot("01-editor");
  });

  await step("Schedule at a time that has passed: the server's 422 shows at the schedule", async () => {
    await page.getByRole("radio", { name: "At a date and time" }).click();
    const yesterday = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    await page.locator("#camp-date").fill(yesterday);
    await page.getByTestId("schedule-note").getByText("Europe/London").waitFor();
    await allowing([/status of 422/], async () => {
      await page.getByRole("button", { name: "Schedule", exact: true }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Schedule campaign" }).click();
      await page.locator("#camp-schedule .field-error", { hasText: "that time has passed" }).waitFor();
      await page.getByTestId("campaign-issues").getByText("that time has passed").waitFor();
    });
    await page.getByRole("radio", { name: "Send now" }).click();
    await page.locator('[data-save="saved"]').waitFor({ timeout: 30_000 });
  });

  await step("Send now: live progress reaches the test phase", async () => {
    await page.getByRole("button", { name: "Send now", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("About 12 contacts").waitFor();
    await dialog.getByRole("button", { name: "Send now" }).click();
    await page.getByText(`“${CAMPAIGN}” is on its way`).waitFor();
    const progress = page.getByTestId("campaign-progress");
    await progress.and(page.locator('[data-phase="wait"]')).waitFor({ timeout: 30_000 });
    await page.getByTestId("campaign-phase").getByText("Test emails sent. The winner is chosen at").waitFor();
    await page.getByTestId("ab-state").locator('[data-variant="A"]').getByText("in the test").waitFor();
    await page.getByRole("button", { name: "Pick winner now" }).waitFor();
    await page.locator(".toast").first().waitFor({ state: "detached", timeout: 8000 });
    await shot("02-testing");
  });

  await step("Pick winner now: variant B goes to the rest", async () => {
    await page.getByRole("button", { name: "Pick winner now" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(/^Variant B:/).click();
    await dialog.getByRole("button", { name: "Send variant B to the rest" }).click();
    await page.getByTestId("campaign-progress").and(page.locator('[data-status="sent"]')).waitFor({ timeout: 30_000 });
    await page.getByTestId("ab-state").and(page.locator('[data-winner="B"]')).waitFor();
    await page.getByTestId("progress-sent").getByText("12", { exact: true }).waitFor();
  });

  await step("Outbox: the twelve emails, with both subjects", async () => {
    await sidebar("Outbox").click();
    const rows = page.locator("table tbody tr");
    await rows.nth(11).waitFor();
    assert((await rows.count()) === 12, `12 emails in the outbox, got ${await rows.count()}`);
    await page.getByRole("link", { name: /your spring picks are in$/ }).first().waitFor();
    const text = await page.locator("table tbody").innerText();
    assert(!text.includes("{{"), "subjects are rendered");
  });

  await step("Engagement: people open and click two emails", async () => {
    const { items } = await call("GET", "/api/outbox?limit=50");
    const picked = items.filter((m) => m.subject.endsWith("your spring picks are in")).slice(0, 2);
    assert(picked.length === 2, "two emails of variant B");
    // Opens within seconds of sending are counted as machine prefetches: wait until these are older.
    const wait = Math.max(...picked.map((m) => m.createdAt)) + 6000 - Date.now();
    if (wait > 0) await sleep(wait);
    for (const m of picked) {
      const { raw } = await call("GET", `/api/outbox/${encodeURIComponent(m.id)}`);
      const links = trackedLinks(raw);
      assert(links.open && links.clicks.length, `tracked links in ${m.id}`);
      await fetch(links.open, { headers: { "User-Agent": CHROME_UA } });
      const res = await fetch(links.clicks[0], { headers: { "User-Agent": CHROME_UA }, redirect: "manual" });
      assert(res.status >= 300 && res.status < 400, `the click redirects (${res.status})`);
    }
  });

  await step("Report: variants, people who opened and clicked, links, chart", async () => {
    await page.goto(campaignUrl);
    const row = page.getByTestId("variant-table").locator('tr[data-variant="B"]');
    await row.getByText("Winner").waitFor();
    // Tracking hits are written in batches: reload until both people show.
    for (let i = 0; i < 20; i++) {
      const opened = await page.locator('[data-figure="Opened"] .report-figure-note').innerText().catch(() => "");
      if (/^2 people/.test(opened)) break;
      await sleep(750);
      await page.reload();
      await row.waitFor();
    }
    await page.locator('[data-figure="Opened"] .report-figure-note').getByText(/^2 people/).waitFor();
    await page.locator('[data-figure="Clicked"] .report-figure-note').getByText(/^2 people/).waitFor();
    await page.getByTestId("report-links").getByText(LINK).waitFor();
    await page.getByTestId("variant-table").locator('tr[data-variant="A"]').waitFor();
    assert((await page.getByTestId("report-chart").locator("svg path.chart-line").count()) >= 1, "the chart draws its lines");
    await shot("03-report");
  });

  await step("Resend to non-openers: one dialog, a scheduled follow-up", async () => {
    await page.getByRole("button", { name: "Resend to non-openers" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Send it after").fill("24");
    await dialog.getByLabel("New subject").fill("Did you see our spring sale?");
    await dialog.getByRole("button", { name: "Schedule resend" }).click();
    await page.getByText(/^Resend scheduled/).waitFor();
    await page.locator(".camp-followups").getByText("resend to non-openers").waitFor();
  });

  await step("Campaigns list: status, recipients, opens and clicks", async () => {
    await sidebar("Campaigns").click();
    const row = page.locator(`tr[data-campaign="${CAMPAIGN}"]`);
    await row.getByText("Sent", { exact: true }).waitFor();
    await row.getByText("2 people").first().waitFor();
    await page.locator(`tr[data-campaign$="resend to non-openers"]`).getByText("Scheduled").waitFor();
    await page.getByLabel("Status").selectOption("scheduled");
    await page.waitForURL(/status=scheduled/);
    await row.waitFor({ state: "detached" });
    assert((await page.locator("tbody tr").count()) === 1, "one scheduled campaign");
    await page.getByLabel("Status").selectOption("");
    await row.waitFor();
    await page.locator(".skeleton-num").first().waitFor({ state: "detached" });
    await page.locator(".toast").first().waitFor({ state: "detached", timeout: 10_000 });
    await shot("04-list");
  });

  await step("Cancel the scheduled resend, after confirming", async () => {
    await page.locator(`tr[data-campaign$="resend to non-openers"]`).getByRole("link").click();
    await page.getByTestId("campaign-phase").getByText("Waiting to start").waitFor();
    await page.getByRole("button", { name: "Cancel", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("It will not be sent.").waitFor();
    await dialog.getByRole("button", { name: "Cancel campaign" }).click();
    await page.locator(".page-header").getByText("Cancelled", { exact: true }).waitFor();
    await page.getByTestId("campaign-progress").and(page.locator('[data-status="cancelled"]')).waitFor();
  });

  await step("Duplicate: a new draft; the editor and the report at 800 px", async () => {
    await page.goto(campaignUrl);
    await page.getByRole("button", { name: "Duplicate" }).click();
    await page.getByRole("heading", { name: `${CAMPAIGN} (copy)` }).waitFor();
    await page.getByTestId("campaign-estimate-value").getByText("12", { exact: true }).waitFor();
    await page.setViewportSize({ width: 800, height: 900 });
    await page.locator(".toast").first().waitFor({ state: "detached", timeout: 8000 });
    await shot("05-editor-800");
    await page.goto(campaignUrl);
    await page.getByTestId("variant-table").waitFor();
    await shot("06-report-800");
  });
});
