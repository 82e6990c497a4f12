import { defineConfig } from "drizzle-kit";

// Migrations are generated here and applied by `wrangler d1 migrations apply` (locally, in tests, remotely).
export default defineConfig({
  dialect: "sqlite",
  schema: "./worker/store/schema.ts",
  out: "./migrations",
});
