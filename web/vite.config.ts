/** Builds the admin SPA into web/dist; `vite --config web/vite.config.ts` serves it with /api and /v1 proxied to wrangler dev. */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const worker = process.env.TERN_WORKER_URL ?? "http://127.0.0.1:8787";

export default defineConfig({
  root,
  publicDir: "public",
  // Preact's automatic JSX runtime, compiled by oxc (Vite 8); no plugin needed.
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  resolve: { alias: { react: "preact/compat", "react-dom": "preact/compat" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  server: { proxy: { "/api": worker, "/v1": worker } },
});
