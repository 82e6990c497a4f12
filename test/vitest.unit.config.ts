import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// worker/core is pure: its tests run in plain Node, fast.
export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: { include: ["test/unit/**/*.test.ts"], environment: "node" },
});
