/** Entry point: decides between first-run setup, sign-in and the app, then renders it. */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, errorMessage, session, startSession } from "./api";
import { LoginScreen, SetupScreen } from "./auth";
import { Shell } from "./shell";
import { useStore } from "./store";
import type { Session } from "./types";
import { Alert, Button, Loading, Toaster } from "./ui";
import "./styles.css";

type Boot = { state: "loading" } | { state: "setup" } | { state: "ready" } | { state: "error"; message: string };

function App() {
  const current = useStore(session);
  const [boot, setBoot] = useState<Boot>({ state: "loading" });

  const start = async () => {
    setBoot({ state: "loading" });
    try {
      // Asking for the status first means neither a fresh install nor a signed-out browser sees a 401 from /me.
      const status = await api.get<{ setupRequired: boolean; authenticated: boolean }>("/auth/status");
      if (status.setupRequired) return setBoot({ state: "setup" });
      if (status.authenticated) {
        try {
          startSession(await api.get<Session>("/auth/me"));
        } catch (err) {
          // The session expired between the two requests: the login screen it is.
          if (!(err instanceof ApiError && err.status === 401)) throw err;
        }
      }
      setBoot({ state: "ready" });
    } catch (err) {
      setBoot({ state: "error", message: errorMessage(err) });
    }
  };
  useEffect(() => void start(), []);
  // After setup or sign-in, signing out must lead to the login screen, not back to setup.
  useEffect(() => {
    if (current && boot.state !== "ready") setBoot({ state: "ready" });
  }, [current]);

  let view;
  if (boot.state === "loading") view = <div class="boot"><Loading /></div>;
  else if (boot.state === "error")
    view = (
      <div class="boot">
        <Alert title="Tern is not answering" action={<Button size="sm" onClick={start}>Try again</Button>}>
          {boot.message}
        </Alert>
      </div>
    );
  else if (current) view = <Shell />;
  else if (boot.state === "setup") view = <SetupScreen />;
  else view = <LoginScreen />;

  return (
    <>
      {view}
      <Toaster />
    </>
  );
}

render(<App />, document.getElementById("app")!);
