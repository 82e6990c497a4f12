// End-to-end test of the flow editor: on a fresh wrangler dev, build a small flow on the canvas (a problem shown,
// then fixed), publish it, post a Checkout Started with a write key and watch it run (the email in the Outbox, the
// canvas counts), run the simulator, and create a draft from the prebuilt gallery. Fails on any console error.
// Run with `npm run test:e2e` (builds web/dist first). Screenshots go to test-output/flows-*.png.
import { ownerApi, runBrowserTest } from "./harness.mjs";

const OWNER = { email: "owner@example.com", name: "Owner", password: "correct horse battery staple" };
const FLOW = "Checkout follow-up";
const SUBJECT = "You left something in your cart";

await runBrowserTest("flows", async ({ server, newPage, step, shot, assert }) => {
  const { url } = server;

  // ---- data through the API: a write key, a template, sender and address, the public URL ----------------------
  const call = await ownerApi(url, OWNER);
  const { key: writeKey } = await call("POST", "/api/write-keys", { name: "Storefront" });
  await call("PATCH", "/api/settings", {
    store: { name: "Fern & Fable", address: "1 Harbour Street, Portsmouth PO1 2AB, UK", website: "https://shop.example.com" },
    sender: { fromName: "Fern & Fable", fromEmail: "hello@example.com" },
    sending: { publicUrl: url },
  });
  const template = await call("POST", "/api/templates", {
    name: "Cart reminder",
    subject: SUBJECT,
    html: '<p>Hi {{ contact.first_name | default: "there" }}, your cart is waiting.</p><p><a href="https://shop.example.com/cart">Back to your cart</a></p>',
  });
  const ingest = (path, body) =>
    fetch(`${url}/v1/${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}` }, body: JSON.stringify(body) });

  const page = await newPage({ viewport: { width: 1280, height: 860 } });
  const node = (id) => page.locator(`.flow-node[data-node="${id}"]`);

  await step("sign in and open Flows", async () => {
    await page.goto(url);
    await page.getByLabel("Email").fill(OWNER.email);
    await page.getByLabel("Password").fill(OWNER.password);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await page.locator(".sidebar").getByRole("link", { name: "Flows" }).click();
    await page.getByRole("heading", { name: "Put your email on autopilot" }).waitFor();
  });

  await step("create a blank flow: the server says it has no steps, publishing is off", async () => {
    await page.getByRole("button", { name: "Build from scratch" }).click();
    await page.getByRole("dialog").getByLabel("Name").fill(FLOW);
    await page.getByRole("button", { name: "Create flow" }).click();
    await page.waitForURL(/\/flows\/\d+$/);
    await page.getByRole("heading", { name: FLOW }).waitFor();
    await page.getByTestId("problems-toggle").getByText("1 problem to fix before publishing").waitFor();
    await page.getByTestId("problems-toggle").click();
    await page.getByTestId("problems").getByText("The flow has no steps").waitFor();
    assert(await page.getByTestId("publish").isDisabled(), "Publish is disabled while there are problems");
  });

  await step("build it: trigger Checkout Started, a 0-minute delay, an email", async () => {
    // A new flow opens with its trigger selected.
    await page.getByLabel("Starts when").selectOption("event");
    await page.getByLabel("Event", { exact: true }).fill("Checkout Started");
    await node("trigger").getByText("Checkout Started").waitFor();
    await page.getByRole("button", { name: "Add the first step" }).click();
    await page.getByRole("menuitem", { name: /^Delay/ }).click();
    await node("delay_1").waitFor();
    await page.getByLabel("Wait for", { exact: true }).fill("0");
    await page.getByLabel("Wait for: unit").selectOption("minutes");
    await node("delay_1").getByText("No wait: goes on at once").waitFor();
    await page.getByRole("button", { name: "Add a step after delay delay_1" }).click();
    await page.getByRole("menuitem", { name: /^Send email/ }).click();
    await node("email_1").waitFor();
  });

  await step("an email step without a template is a problem at the step, then fixed", async () => {
    await node("email_1").locator(".flow-node-problem").getByText("Choose the email template").waitFor();
    await page.getByTestId("problems").getByText("Choose the email template").waitFor();
    assert(await page.getByTestId("publish").isDisabled(), "Publish stays disabled");
    await shot("problem", { fullPage: false });
    await page.getByLabel("Template", { exact: true }).selectOption(String(template.id));
    await node("email_1").getByText("Cart reminder").waitFor();
    assert((await node("email_1").locator(".flow-node-problem").count()) === 0, "the problem left the step");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Flow saved").waitFor();
    await page.getByTestId("no-problems").getByText("Ready to publish").waitFor();
  });

  await step("publish it", async () => {
    await page.getByTestId("publish").click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Checkout Started").first().waitFor();
    await dialog.getByRole("button", { name: "Publish flow" }).click();
    await page.getByText("Version 1 is live").waitFor();
    await page.locator(".page-header").getByText("Live", { exact: true }).waitFor();
  });

  await step("a Checkout Started from the store runs it: the email in the Outbox, counts on the canvas", async () => {
    const who = { userId: "cust-77", traits: { email: "ada@example.com", first_name: "Ada" } };
    let res = await ingest("identify", who);
    assert(res.ok, `identify answered ${res.status}`);
    res = await ingest("track", { userId: who.userId, event: "Checkout Started", properties: { checkout_id: "chk_77", value: 70, currency: "USD" } });
    assert(res.ok, `track answered ${res.status}`);
    // The page refreshes the figures every few seconds.
    await node("delay_1").locator('[data-figure="entered"] dd').getByText("1", { exact: true }).waitFor({ timeout: 30_000 });
    await node("email_1").locator('[data-figure="sent"] dd').getByText("1", { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByTestId("flow-totals").getByText("entered").waitFor();
    await page.locator(".toast").first().waitFor({ state: "detached", timeout: 8000 }).catch(() => {});
    await shot("canvas-counts", { fullPage: false });
    await page.locator(".sidebar").getByRole("link", { name: "Outbox" }).click();
    await page.getByRole("link", { name: SUBJECT }).first().waitFor({ timeout: 20_000 });
    await page.goBack();
    await page.getByRole("heading", { name: FLOW }).waitFor();
  });

  await step("the simulator shows the path and the email, without sending", async () => {
    await page.getByRole("tab", { name: "Simulator" }).click();
    await page.getByText("No email is sent and nothing is stored").waitFor();
    await page.getByRole("button", { name: "Run simulation" }).click();
    const result = page.getByTestId("simulation-result");
    await result.getByText("1 email would be sent").waitFor();
    await page.getByTestId("simulation-sends").getByText("Cart reminder").waitFor();
    assert(await node("email_1").evaluate((el) => el.classList.contains("is-visited")), "the email step is on the highlighted path");
    assert(await node("delay_1").evaluate((el) => el.classList.contains("is-visited")), "the delay is on the highlighted path");
    await shot("simulator", { fullPage: false });
  });

  await step("the prebuilt gallery creates a draft and shows what to do before publishing", async () => {
    await page.locator(".back-link").click();
    await page.locator(`tr[data-flow="${FLOW}"]`).getByText("Live").waitFor();
    await page.getByRole("button", { name: "Start from a template" }).click();
    await page.getByRole("heading", { name: "Start from a template" }).waitFor();
    const cards = page.getByTestId("flow-gallery").locator(".flow-card");
    await cards.nth(7).waitFor();
    assert((await cards.count()) === 8, `8 prebuilt flows, got ${await cards.count()}`);
    await shot("gallery");
    await page.getByRole("button", { name: "Use Abandoned cart" }).click();
    await page.waitForURL(/\/flows\/\d+$/);
    await page.getByRole("heading", { name: "Abandoned cart" }).waitFor();
    await page.getByText("Before you publish").waitFor();
    await node("reminder").waitFor();
    await page.locator(".page-header").getByText("Draft", { exact: true }).waitFor();
  });
});
