/** The signed-in app: sidebar navigation, user menu and the page for the current path. */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorMessage, session, settings } from "./api";
import { initials } from "./format";
import { Icon, Logo, type IconName } from "./icons";
import { CampaignPage } from "./pages/campaign-page";
import { CampaignsPage } from "./pages/campaigns";
import { ComingSoon, comingSoon, type SoonKey } from "./pages/coming-soon";
import { ContactPage } from "./pages/contact";
import { ContactsPage } from "./pages/contacts";
import { Dashboard } from "./pages/dashboard";
import { FlowEditorPage } from "./pages/flow-editor";
import { FormEditorPage } from "./pages/form-editor";
import { FORMS_PATH, FormsPage } from "./pages/forms";
import { FlowGalleryPage, FlowsPage } from "./pages/flows";
import { ImportPage } from "./pages/import";
import { OutboxPage } from "./pages/outbox";
import { OutboxMessagePage } from "./pages/outbox-message";
import { ReportsPage } from "./pages/reports";
import { SegmentEditorPage } from "./pages/segment-editor";
import { SegmentsPage } from "./pages/segments";
import { SettingsPage } from "./pages/settings";
import { SuppressionsPage } from "./pages/suppressions";
import { TemplateEditorPage } from "./pages/template-editor";
import { TemplatesPage } from "./pages/templates";
import { Link, match, navigate, Redirect, useLocation } from "./router";
import { useStore } from "./store";
import type { Settings } from "./types";
import { cx, EmptyState, toast } from "./ui";

interface NavItem {
  href: string;
  label: string;
  icon: IconName;
  soon?: boolean;
}

const nav: { title?: string; items: NavItem[] }[] = [
  { items: [{ href: "/", label: "Dashboard", icon: "dashboard" }] },
  {
    title: "Audience",
    items: [
      { href: "/contacts", label: "Contacts", icon: "contacts" },
      { href: "/segments", label: "Segments", icon: "segments" },
    ],
  },
  {
    title: "Messaging",
    items: [
      { href: "/flows", label: "Flows", icon: "flows" },
      { href: "/campaigns", label: "Campaigns", icon: "campaigns" },
      { href: "/templates", label: "Templates", icon: "templates" },
      { href: FORMS_PATH, label: "Forms", icon: "forms" },
    ],
  },
  {
    title: "Insights",
    items: [
      { href: "/reports", label: "Reports", icon: "reports" },
      { href: "/outbox", label: "Outbox", icon: "outbox" },
    ],
  },
];

const isActive = (href: string, path: string) => (href === "/" ? path === "/" : path === href || path.startsWith(`${href}/`));

export function Shell() {
  const { path } = useLocation();
  const store = useStore(settings);

  useEffect(() => {
    if (!settings.get()) api.get<Settings>("/settings").then(settings.set, () => undefined);
  }, []);

  return (
    <div class="shell">
      <aside class="sidebar">
        <div class="sidebar-inner">
        <Link href="/" class="brand" aria-label="Tern home">
          <Logo />
          <span class="brand-text">
            <span class="brand-name">Tern</span>
            {store && <span class="brand-store">{store.store.name}</span>}
          </span>
        </Link>
        <nav class="nav" aria-label="Main">
          {nav.map((group, i) => (
            <div class="nav-group" key={i}>
              {group.title && <div class="nav-title">{group.title}</div>}
              {group.items.map((item) => (
                <NavLink key={item.href} item={item} active={isActive(item.href, path)} />
              ))}
            </div>
          ))}
        </nav>
        <div class="sidebar-bottom">
          <NavLink item={{ href: "/settings", label: "Settings", icon: "settings" }} active={isActive("/settings", path)} />
          <UserMenu />
        </div>
        </div>
      </aside>
      <main class="main" id="main">
        <Page path={path} />
      </main>
    </div>
  );
}

function NavLink({ item, active }: { item: NavItem; active: boolean }) {
  return (
    <Link href={item.href} class={cx("nav-link", active && "is-active")} aria-current={active ? "page" : undefined} title={item.label}>
      <Icon name={item.icon} size={18} />
      <span class="nav-label">{item.label}</span>
      {item.soon && <span class="nav-soon">Soon</span>}
    </Link>
  );
}

function Page({ path }: { path: string }) {
  useEffect(() => {
    document.querySelector<HTMLElement>("#main")?.focus({ preventScroll: true });
  }, [path]);
  if (path === "/") return <Dashboard />;
  if (path === "/contacts") return <ContactsPage />;
  if (path === "/contacts/import") return <ImportPage />;
  if (path === "/contacts/suppressions") return <SuppressionsPage />;
  const contact = match("/contacts/:id", path);
  if (contact) return <ContactPage id={contact.id!} key={contact.id} />;
  if (path === "/segments") return <SegmentsPage />;
  const segment = match("/segments/:id", path);
  if (segment) return <SegmentEditorPage id={segment.id!} key={segment.id} />;
  if (path === "/templates") return <TemplatesPage />;
  const template = match("/templates/:id", path);
  if (template) return <TemplateEditorPage id={template.id!} key={template.id} />;
  if (path === "/campaigns") return <CampaignsPage />;
  const campaign = match("/campaigns/:id", path);
  if (campaign) return <CampaignPage id={campaign.id!} key={campaign.id} />;
  if (path === "/flows") return <FlowsPage />;
  if (path === "/flows/templates") return <FlowGalleryPage />;
  const flow = match("/flows/:id", path);
  if (flow) return <FlowEditorPage id={flow.id!} key={flow.id} />;
  if (path === "/forms") return <Redirect to={FORMS_PATH} />;
  if (path === FORMS_PATH) return <FormsPage />;
  const signupForm = match(`${FORMS_PATH}/:id`, path);
  if (signupForm) return <FormEditorPage id={signupForm.id!} key={signupForm.id} />;
  if (path === "/outbox") return <OutboxPage />;
  const message = match("/outbox/:id", path);
  if (message) return <OutboxMessagePage id={message.id!} key={message.id} />;
  if (path === "/reports") return <ReportsPage tab="messages" />;
  const report = match("/reports/:tab", path);
  if (report) return <ReportsPage tab={report.tab!} />;
  const soon = path.slice(1) as SoonKey;
  if (soon in comingSoon) return <ComingSoon section={soon} />;
  if (path === "/settings") return <Redirect to="/settings/general" />;
  const tab = match("/settings/:tab", path);
  if (tab) return <SettingsPage tab={tab.tab!} />;
  return (
    <div class="page">
      <EmptyState icon="info" title="Page not found" actions={<Link class="btn btn-secondary" href="/">Go to the dashboard</Link>}>
        There is nothing at {path}. It may have moved, or the link is mistyped.
      </EmptyState>
    </div>
  );
}

function UserMenu() {
  const s = useStore(session);
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => ref.current && !ref.current.contains(e.target as Node) && setOpen(false);
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        ref.current?.querySelector<HTMLButtonElement>(".user-button")?.focus();
      }
    };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    ref.current?.querySelector<HTMLElement>(".menu-item")?.focus();
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);
  if (!s) return null;
  const name = s.user.name || s.user.email;

  const logout = async () => {
    try {
      await api.post("/auth/logout");
      session.set(null);
      settings.set(null);
    } catch (err) {
      toast(errorMessage(err), "red");
    }
  };
  const go = (href: string) => {
    setOpen(false);
    navigate(href);
  };

  return (
    <div class="user-menu" ref={ref}>
      {open && (
        <div class="menu" role="menu">
          <div class="menu-header">
            <strong>{name}</strong>
            <span>{s.user.email}</span>
          </div>
          <button type="button" role="menuitem" class="menu-item" onClick={() => go("/settings/account")}>
            <Icon name="lock" size={16} />
            Change password
          </button>
          <button type="button" role="menuitem" class="menu-item" onClick={logout}>
            <Icon name="logout" size={16} />
            Log out
          </button>
        </div>
      )}
      <button type="button" class="user-button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)} title={s.user.email}>
        <span class="avatar">{initials(name)}</span>
        <span class="user-text">
          <span class="user-name">{name}</span>
          <span class="user-role">{s.user.role === "owner" ? "Owner" : "Admin"}</span>
        </span>
        <Icon name="chevronDown" size={16} class="user-chevron" />
      </button>
    </div>
  );
}

