import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("..", import.meta.url));

export default defineConfig(async () => ({
  root,
  plugins: [
    // a function, so bindings can use what globalSetup provides (the Turnstile stand-in's port)
    cloudflareTest(async ({ inject }) => ({
      wrangler: { configPath: `${root}/wrangler.toml` },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(`${root}/migrations`),
          TERN_SECRET: "test-secret-not-for-production-0123456789",
          // webhook verification (test/integration/hooks.test.ts signs with the matching test keys)
          RESEND_WEBHOOK_SECRET: "whsec_dGVzdC1yZXNlbmQtd2ViaG9vay1zZWNyZXQtMDEyMzQ1",
          MAILGUN_WEBHOOK_SIGNING_KEY: "test-mailgun-signing-key",
          POSTMARK_WEBHOOK_TOKEN: "postmark:test-hook-password",
          SENDGRID_WEBHOOK_PUBLIC_KEY: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWov6Au6BapEv/JhFOZ27D41IxHFFdvt0Hb6EQugtVDKYnLii2EiDllif4WhpTPgpgnevNgKCpccyQYV8jNPwXQ==",
          SES_WEBHOOK_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:tern-ses",
          // signup forms: Turnstile checked against test/integration/forms-turnstile-stub.ts
          TURNSTILE_SECRET: "test-turnstile-secret",
          TURNSTILE_VERIFY_URL: `${inject("turnstileUrl")}/siteverify`,
        },
      },
    })),
  ],
  test: {
    include: ["test/integration/**/*.test.ts", "test/providers/**/*.test.ts"],
    // local provider APIs and a real SMTP server for test/providers (ports handed over with provide/inject)
    globalSetup: ["test/providers/servers.ts", "test/integration/forms-turnstile-stub.ts"],
    setupFiles: ["test/integration/setup.ts"],
    // generous: CI machines have two cores, and tests share them with workerd
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
}));
