import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests in plain Node against a running `wrangler dev` (SDK compatibility).
export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: { include: ["test/sdk/**/*.test.ts"], environment: "node", testTimeout: 60_000, hookTimeout: 150_000 },
});
