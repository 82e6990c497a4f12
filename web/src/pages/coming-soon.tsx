/** Sections that are designed but not built yet: what each will do, so the navigation never leads nowhere. */
import { Icon, type IconName } from "../icons";
import { Link } from "../router";
import { Badge, PageHeader } from "../ui";
import { useTitle } from "../title";

interface Soon {
  title: string;
  icon: IconName;
  pitch: string;
  features: [string, string][];
  meanwhile?: { text: string; href: string; label: string };
}

export const comingSoon = {
  flows: {
    title: "Flows",
    icon: "flows",
    pitch: "Automated email journeys that start from what a contact does and run on their own, one step at a time.",
    features: [
      ["Ready-made flows", "Welcome series, abandoned cart, browse abandonment, post-purchase follow-up, win-back and birthday emails, ready to adjust."],
      ["Visual editor", "Triggers, delays, waits for an event (\"until they place an order, at most 3 days\"), yes/no branches on profile or behaviour, and A/B splits."],
      ["Safe publishing", "Edit a draft while the live version keeps running; contacts already in a flow finish the version they started."],
      ["Per-step reporting", "Entered, waiting, sent, opened, clicked and revenue for every step, with holdout groups to measure the lift."],
    ],
    meanwhile: { text: "Flows start from your storefront's events. Connect a source now so history is there on day one.", href: "/settings/sources", label: "Connect a source" },
  },
  campaigns: {
    title: "Campaigns",
    icon: "campaigns",
    pitch: "One-off emails to a segment or topic: newsletters, launches and sales.",
    features: [
      ["Audience with exclusions", "Send to segments and topics, exclude others, and skip anyone who cannot be mailed (unsubscribed, bounced, suppressed)."],
      ["Scheduling", "Send now, at a set time, or at the same local time in each contact's time zone; throttle to a maximum per hour."],
      ["A/B tests", "Test subject lines or content on a sample and send the winner to the rest automatically."],
      ["Results", "Deliveries, opens (machine opens filtered), clicks, unsubscribes and attributed revenue."],
    ],
  },
  forms: {
    title: "Forms",
    icon: "forms",
    pitch: "Signup forms for your website that add subscribers with a proper consent record.",
    features: [
      ["Embed anywhere", "A form with a snippet to paste into any site or storefront theme, styled with your brand colour."],
      ["Consent you can prove", "Each signup stores the consent text, page, time and IP address, with optional double opt-in."],
      ["Topics and fields", "Let visitors pick topics and collect fields such as first name or birthday."],
      ["Abuse protection", "Rate limits on submissions keep bots from flooding your list."],
    ],
    meanwhile: { text: "Meanwhile, create the topics your forms will subscribe people to.", href: "/settings/topics", label: "Manage topics" },
  },
} satisfies Record<string, Soon>;

export type SoonKey = keyof typeof comingSoon;

export function ComingSoon({ section }: { section: SoonKey }) {
  const s: Soon = comingSoon[section];
  useTitle(s.title);
  return (
    <div class="page">
      <PageHeader title={s.title} />
      <div class="soon card">
        <div class="soon-head">
          <div class="soon-icon">
            <Icon name={s.icon} size={26} />
          </div>
          <div>
            <Badge tone="blue">Coming soon</Badge>
            <p class="soon-pitch">{s.pitch}</p>
          </div>
        </div>
        <ul class="soon-features">
          {s.features.map(([title, text]) => (
            <li key={title}>
              <span class="soon-check">
                <Icon name="check" size={14} />
              </span>
              <div>
                <strong>{title}</strong>
                <p>{text}</p>
              </div>
            </li>
          ))}
        </ul>
        {s.meanwhile && (
          <div class="soon-meanwhile">
            <span>{s.meanwhile.text}</span>
            <Link class="btn btn-secondary btn-sm" href={s.meanwhile.href}>
              {s.meanwhile.label}
              <Icon name="chevronRight" size={15} />
            </Link>
          </div>
        )}
      </div>
    </div>
  );
}
