/**
 * vitest globalSetup (runs in Node): the fake provider APIs (mock-api.ts) and a real SMTP server (Debian's
 * aiosmtpd, smtp_server.py), both on 127.0.0.1, handed to the workerd tests with provide/inject. Teardown closes
 * the HTTP server with its open connections and ends the Python process (which also exits when our stdin closes).
 *
 * workerd checks TLS certificates against its own store, extended only by NODE_EXTRA_CA_CERTS read when
 * Miniflare loads, before this file runs. With NODE_EXTRA_CA_CERTS=test/providers/fixtures/smtp-tls-cert.pem
 * the STARTTLS and implicit-TLS tests deliver over TLS; without it they check that the handshake is refused.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startMockApi } from "./mock-api";

declare module "vitest" {
  export interface ProvidedContext {
    providerApi: string;
    smtp: { ports: Record<"plain" | "login" | "starttls" | "tls", number>; tlsTrusted: boolean };
  }
}

const here = import.meta.dirname;
const cert = join(here, "fixtures/smtp-tls-cert.pem");
const key = join(here, "fixtures/smtp-tls-key.pem");

export default async function setup(project: TestProject) {
  const outDir = mkdtempSync(join(tmpdir(), "tern-smtp-"));
  const api = await startMockApi(outDir);
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  try {
    smtp = await startSmtp(outDir);
  } catch (err) {
    await api.close();
    throw err;
  }
  project.provide("providerApi", api.url);
  project.provide("smtp", { ports: smtp.ports, tlsTrusted: tlsTrusted() });
  return async () => {
    await Promise.allSettled([api.close(), smtp.stop()]);
    rmSync(outDir, { recursive: true, force: true });
  };
}

function tlsTrusted(): boolean {
  try {
    const extra = process.env.NODE_EXTRA_CA_CERTS;
    return !!extra && readFileSync(extra, "utf8").includes(readFileSync(cert, "utf8").trim());
  } catch {
    return false;
  }
}

async function startSmtp(outDir: string) {
  const py = spawn("/usr/bin/python3", [join(here, "smtp_server.py"), outDir, cert, key], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  py.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => py.once("exit", () => resolve()));
  const stop = async () => {
    py.stdin.end();
    const timer = setTimeout(() => py.kill("SIGKILL"), 3000);
    py.kill("SIGTERM");
    await exited;
    clearTimeout(timer);
  };
  try {
    const ports = await new Promise<Record<"plain" | "login" | "starttls" | "tls", number>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("aiosmtpd did not start within 15 s")), 15_000);
      py.stdout.once("data", (d) => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(String(d)));
        } catch {
          reject(new Error(`unexpected output from smtp_server.py: ${d}`));
        }
      });
      py.once("exit", (code) => reject(new Error(`smtp_server.py exited (${code}): ${stderr}`)));
      py.once("error", reject);
    });
    return { ports, stop };
  } catch (err) {
    await stop();
    throw new Error(`${err instanceof Error ? err.message : err}\n${stderr}`);
  }
}
