/** First-run setup (creates the owner) and the sign-in screen. */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { api, ApiError, errorMessage, fieldErrors, formError, startSession } from "./api";
import { Logo } from "./icons";
import type { Session } from "./types";
import { Alert, Button, TextField } from "./ui";

function AuthFrame({ title, subtitle, children, footer }: { title: string; subtitle: ComponentChildren; children: ComponentChildren; footer?: ComponentChildren }) {
  return (
    <div class="auth">
      <main class="auth-card">
        <div class="auth-brand">
          <Logo size={36} />
          <span>Tern</span>
        </div>
        <h1>{title}</h1>
        <p class="auth-subtitle">{subtitle}</p>
        {children}
      </main>
      {footer && <p class="auth-footer">{footer}</p>}
    </div>
  );
}

export function SetupScreen() {
  const [form, setForm] = useState({ name: "", email: "", password: "", confirm: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });

  const submit = async (e: Event) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!form.email.trim()) local.email = "Enter your email address";
    if (form.password.length < 10) local.password = "Use at least 10 characters";
    else if (form.password !== form.confirm) local.confirm = "The passwords do not match";
    setErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      startSession(await api.post<Session>("/auth/setup", { name: form.name.trim(), email: form.email.trim(), password: form.password }));
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(err instanceof ApiError && err.code === "already_set_up" ? "Tern is already set up. Reload the page to sign in." : formError(err, ["name", "email", "password"]));
      setBusy(false);
    }
  };

  return (
    <AuthFrame
      title="Welcome to Tern"
      subtitle={
        <>
          Create the owner account for <strong>{window.location.host}</strong>. It can manage contacts, flows, campaigns and settings.
        </>
      }
      footer="Your data stays in your own Cloudflare account."
    >
      <form class="stack" onSubmit={submit} noValidate>
        {error && <Alert>{error}</Alert>}
        <TextField label="Your name" value={form.name} onValue={set("name")} autoComplete="name" autoFocus error={errors.name} />
        <TextField label="Email" type="email" value={form.email} onValue={set("email")} autoComplete="email" required error={errors.email} />
        <TextField label="Password" type="password" value={form.password} onValue={set("password")} autoComplete="new-password" required hint="At least 10 characters. A passphrase of a few words works well." error={errors.password} />
        <TextField label="Confirm password" type="password" value={form.confirm} onValue={set("confirm")} autoComplete="new-password" required error={errors.confirm} />
        <Button type="submit" variant="primary" loading={busy} class="btn-block">
          Create account
        </Button>
      </form>
    </AuthFrame>
  );
}

export function LoginScreen() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<{ title?: string; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!email.trim() || !password) {
      setError({ text: "Enter your email and password." });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      startSession(await api.post<Session>("/auth/login", { email: email.trim(), password }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) {
        const minutes = err.retryAfter ? Math.max(1, Math.ceil(err.retryAfter / 60)) : 15;
        setError({ title: "Too many failed sign-in attempts", text: `For your security, signing in to this account is paused. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.` });
      } else {
        setError({ text: errorMessage(err) });
      }
      setPassword("");
      setBusy(false);
    }
  };

  return (
    <AuthFrame title="Sign in" subtitle="Welcome back. Sign in to manage your audience and email.">
      <form class="stack" onSubmit={submit} noValidate>
        {error && <Alert title={error.title}>{error.text}</Alert>}
        <TextField label="Email" type="email" value={email} onValue={setEmail} autoComplete="username" autoFocus required />
        <TextField label="Password" type="password" value={password} onValue={setPassword} autoComplete="current-password" required />
        <Button type="submit" variant="primary" loading={busy} class="btn-block">
          Sign in
        </Button>
      </form>
    </AuthFrame>
  );
}
