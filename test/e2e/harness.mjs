// The shared harness of the browser tests in this folder: a fresh `wrangler dev` (its own local D1, see
// test/support/dev-server.mjs) driven through Debian's chromium with playwright-core. A test file keeps only its own
// steps:
//
//   import { runBrowserTest } from "./harness.mjs";
//
//   await runBrowserTest("flows", async ({ server, newPage, step, shot, assert }) => {
//     const page = await newPage({ viewport: { width: 1280, height: 860 } });
//     await step("sign in", async () => {
//       await page.goto(server.url);
//       …
//       await shot("01-signed-in"); // test-output/flows-01-signed-in.png
//     });
//   });
//
// What the harness does for every test:
//   - starts chromium while wrangler applies the migrations and starts (both take seconds), then calls the test;
//   - watches every page made by newPage(): a console error, an uncaught exception or a 5xx answer is recorded as a
//     problem, and the step it happens in fails (console errors a step expects are let through with allowing());
//   - step(name, fn) prints the step with the time since the start; when it fails (or left problems) it saves
//     test-output/<name>-failure.png of the current page and fails the whole test with the step's name;
//   - on failure prints the error and the end of wrangler's output; always closes the browser, runs the test's
//     cleanups and stops the server; exits the process with 0 (passed) or 1 (failed).
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ownerSession, root, startDevServer } from "../support/dev-server.mjs";

/** Where screenshots go: test-output/<name>-<shot>.png. */
const shots = join(root, "test-output");

const CHROMIUM = {
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Throws `Assertion failed: <message>` unless `cond` holds. */
export function assert(cond, message) {
  if (!cond) throw new Error(`Assertion failed: ${message}`);
}

/**
 * Creates the owner account on the fresh server (see ownerSession) and returns `call(method, path, body)` for the
 * admin API, which sends `body` as JSON, throws on an answer that is not 2xx and returns the parsed JSON (or null).
 *
 * @param {string} url the server's URL
 * @param {{ email: string, name?: string, password: string }} [owner]
 * @returns {Promise<(method: string, path: string, body?: unknown) => Promise<any>>}
 */
export async function ownerApi(url, owner) {
  const api = await ownerSession(url, owner);
  return async (method, path, body) => {
    const res = await api(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

/**
 * Runs one browser test and exits the process: 0 when `test` resolved with every step passed, 1 otherwise.
 *
 * @param {string} name the screenshot prefix and the name in the output: "flows" saves test-output/flows-*.png
 * @param {(t: BrowserTest) => Promise<void>} test the test's steps
 * @param {{ server?: Parameters<typeof startDevServer>[0] }} [options] options for startDevServer (extra --var)
 *
 * @typedef {object} BrowserTest
 * @property {{ url: string, port: number, log: () => string }} server the running wrangler dev
 * @property {(options?: PageOptions) => Promise<import("playwright-core").Page>} newPage
 *   a page in a new browser context (its own cookies), watched for problems. The first page made is the current page.
 * @property {(page: import("playwright-core").Page) => void} usePage
 *   makes `page` the current page: the one shot() takes by default and a failing step screenshots.
 * @property {(name: string, fn: () => Promise<void>) => Promise<void>} step
 *   runs one named step; it fails on a thrown error or on a problem recorded while it ran.
 * @property {(name: string, options?: { page?: import("playwright-core").Page, fullPage?: boolean }) => Promise<void>} shot
 *   moves the mouse out of the way and saves test-output/<name>-<shot name>.png (full page unless fullPage: false).
 * @property {<T>(patterns: RegExp[], fn: () => Promise<T>) => Promise<T>} allowing
 *   runs `fn` with console errors matching one of `patterns` not counted as problems (e.g. [/status of 400/] while
 *   a step submits something the server must refuse).
 * @property {(message: string) => void} problem records a problem: the running step fails when it ends.
 * @property {(fn: () => Promise<unknown> | unknown) => void} cleanup runs `fn` at the end, passed or failed.
 * @property {(message: string) => void} log prints `[<seconds since start>s] message`.
 * @property {typeof assert} assert
 *
 * @typedef {import("playwright-core").BrowserContextOptions & { timeout?: number, label?: string }} PageOptions
 *   browser context options (viewport, acceptDownloads, javaScriptEnabled, …), plus the page's default timeout in ms
 *   (10 s unless given) and a label that prefixes its problems ("visitor: console error: …").
 */
export async function runBrowserTest(name, test, options = {}) {
  const started = Date.now();
  const log = (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
  const screenshot = (page, file, fullPage) => page.screenshot({ path: join(shots, `${name}-${file}.png`), fullPage });

  let server = null;
  let browser = null;
  const cleanups = [];
  let failed = false;
  // Chromium starts while wrangler applies the migrations.
  const launching = chromium.launch(CHROMIUM);
  launching.catch(() => {});
  try {
    await mkdir(shots, { recursive: true });
    log("starting wrangler dev with a fresh local D1");
    server = await startDevServer(options.server);
    log(`wrangler is up on ${server.url}`);
    browser = await launching;

    const problems = [];
    let allowed = [];
    let current = null;
    const watch = (page, label) => {
      const problem = (message) => problems.push(label ? `${label}: ${message}` : message);
      page.on("console", (m) => m.type() === "error" && !allowed.some((re) => re.test(m.text())) && problem(`console error: ${m.text()}`));
      page.on("pageerror", (e) => problem(`uncaught exception: ${e.message}`));
      page.on("response", (r) => r.status() >= 500 && problem(`server error ${r.status()} for ${r.request().method()} ${r.url()}`));
    };

    /** @type {BrowserTest} */
    const t = {
      server,
      assert,
      log,
      newPage: async ({ timeout = 10_000, label, ...contextOptions } = {}) => {
        const context = await browser.newContext(contextOptions);
        const page = await context.newPage();
        page.setDefaultTimeout(timeout);
        watch(page, label);
        current ??= page;
        return page;
      },
      usePage: (page) => (current = page),
      step: async (stepName, fn) => {
        log(stepName);
        try {
          await fn();
        } catch (err) {
          if (current) await screenshot(current, "failure", true).catch(() => {});
          throw new Error(`step "${stepName}" failed: ${err.message}`);
        }
        if (problems.length) {
          if (current) await screenshot(current, "failure", true).catch(() => {});
          throw new Error(`step "${stepName}" produced:\n  ${problems.join("\n  ")}`);
        }
      },
      shot: async (shotName, { page = current, fullPage = true } = {}) => {
        await page.mouse.move(0, 0);
        await screenshot(page, shotName, fullPage);
      },
      allowing: async (patterns, fn) => {
        allowed = patterns;
        try {
          return await fn();
        } finally {
          allowed = [];
        }
      },
      problem: (message) => problems.push(message),
      cleanup: (fn) => cleanups.push(fn),
    };
    await test(t);
    log(`all ${name} steps passed; screenshots in ${shots}`);
  } catch (err) {
    failed = true;
    console.error(`\n${name.toUpperCase()} BROWSER TEST FAILED after ${((Date.now() - started) / 1000).toFixed(1)}s: ${err.stack ?? err}`);
    const output = server?.log() ?? "";
    if (output) console.error(`\n--- wrangler dev output (last 3000 chars) ---\n${output.slice(-3000)}`);
  } finally {
    // The browser may still be starting if the server did not come up.
    browser ??= await launching.catch(() => null);
    await browser?.close().catch(() => {});
    for (const fn of cleanups.reverse()) await Promise.resolve().then(fn).catch(() => {});
    await server?.stop().catch(() => {});
  }
  process.exit(failed ? 1 : 0);
}
