/**
 * The prebuilt flows: eight journeys every small shop needs, as plain data. Each names the emails it sends
 * (prebuilt-emails.ts), the topics and segment it relies on, and builds its definition once the store has given
 * those real ids. Installing one (store/prebuilt.ts) creates an editable draft; nothing here goes live by itself.
 *
 * @example
 * const def = instantiate(prebuiltFlow("abandoned_cart")!, refs); // parseFlow-checked, with a canvas layout
 */
import { parseFlow, successors, type FlowDefinition } from "./flow";
import { email, type PrebuiltTemplate } from "./prebuilt-emails";
import type { Group } from "./segment";

export type { PrebuiltTemplate } from "./prebuilt-emails";

export interface PrebuiltTopic {
  key: string;
  name: string;
  description: string;
  kind: "marketing";
  doubleOptIn: boolean;
}

/** A segment a flow is triggered by: found by its key in `segments.prebuilt`, or created. */
export interface PrebuiltSegment {
  key: string;
  name: string;
  description: string;
  definition: Group;
}

/** The store's ids for what a flow refers to by key. */
export interface Refs {
  template: (key: string) => number;
  topic: (key: string) => number;
  segment: (key: string) => number;
  /** keys of every marketing topic the store has (the sunset unsubscribes from all of them) */
  marketingTopics: string[];
}

export interface PrebuiltFlow {
  key: string;
  name: string;
  description: string;
  /** the trigger in a sentence, for the catalog */
  trigger: string;
  /** each email with when it goes out, in order */
  emails: { template: PrebuiltTemplate; when: string }[];
  /** topics created when missing */
  topics: PrebuiltTopic[];
  segment: PrebuiltSegment | null;
  /** a realistic triggering event (or start data), for previews, tests and the simulator */
  sample: Record<string, unknown>;
  build: (refs: Refs) => Omit<FlowDefinition, "layout">;
}

const NEWSLETTER: PrebuiltTopic = { key: "newsletter", name: "Newsletter", description: "News, new arrivals and offers, about twice a month.", kind: "marketing", doubleOptIn: true };
const GUIDES: PrebuiltTopic = { key: "guides", name: "Guides", description: "Buying guides and tips, a few emails at a time.", kind: "marketing", doubleOptIn: true };

const hours = (amount: number) => ({ amount, unit: "hours" as const });
const days = (amount: number) => ({ amount, unit: "days" as const });
/** An email step, opens and clicks tracked (every prebuilt email is). */
const send = (templateId: number, topicId: number | null, next: string | null) => ({ type: "send" as const, templateId, topicId, trackOpens: true, trackClicks: true, next });
const ORDERED = { event: "Order Completed", where: [] };
const group = (match: "all" | "any", ...conditions: Group["conditions"]): Group => ({ type: "group", match, conditions });

const SAMPLE_PRODUCTS = [
  { product_id: "mug-01", name: "Stoneware mug", price: 28, quantity: 2, url: "https://shop.example.com/products/stoneware-mug", image_url: "https://shop.example.com/img/mug.jpg" },
  { product_id: "towel-02", name: "Linen tea towel", price: 14, quantity: 1, url: "https://shop.example.com/products/linen-towel", image_url: "https://shop.example.com/img/towel.jpg" },
];

export const PREBUILT_FLOWS: PrebuiltFlow[] = [
  {
    key: "welcome_series",
    name: "Welcome series",
    description: "Three emails over a week for new newsletter subscribers: hello and your story, your best-sellers, then a first-order offer. Stops as soon as they order.",
    trigger: "Joins the Newsletter topic (after confirming, with double opt-in)",
    emails: [
      { template: email("welcome_1"), when: "at once" },
      { template: email("welcome_2"), when: "after 3 days" },
      { template: email("welcome_3"), when: "after 7 days" },
    ],
    topics: [NEWSLETTER],
    segment: null,
    sample: { topic: "newsletter", source: "form" },
    build: (r) => ({
      trigger: { type: "topic", topic: "newsletter" },
      settings: { reentry: { kind: "never" }, goal: ORDERED, exitOnUnsubscribe: true, holdoutPercent: 0 },
      entry: "welcome",
      nodes: {
        welcome: send(r.template("welcome_1"), r.topic("newsletter"), "wait_3d"),
        wait_3d: { type: "delay", duration: days(3), next: "bestsellers" },
        bestsellers: send(r.template("welcome_2"), r.topic("newsletter"), "wait_4d"),
        wait_4d: { type: "delay", duration: days(4), next: "offer" },
        offer: send(r.template("welcome_3"), r.topic("newsletter"), null),
      },
    }),
  },
  {
    key: "abandoned_cart",
    name: "Abandoned cart",
    description: "Brings shoppers back to a checkout they started: a reminder with their cart after 1 hour, 10% off after 24 hours, a last call after 72 hours. Any order ends it.",
    trigger: "Checkout Started with a value above 0",
    emails: [
      { template: email("cart_1"), when: "1 hour after checkout started" },
      { template: email("cart_2"), when: "24 hours after checkout started" },
      { template: email("cart_3"), when: "72 hours after checkout started" },
    ],
    topics: [],
    segment: null,
    sample: { checkout_id: "chk_1001", value: 70, currency: "USD", checkout_url: "https://shop.example.com/checkouts/chk_1001", products: SAMPLE_PRODUCTS },
    // The goal, not a wait for the same checkout_id: an order from any checkout means they bought.
    build: (r) => ({
      trigger: { type: "event", event: "Checkout Started", where: [{ property: "value", op: "gt", value: 0 }] },
      settings: { reentry: { kind: "after_days", days: 7 }, goal: ORDERED, exitOnUnsubscribe: true, holdoutPercent: 0 },
      entry: "wait_1h",
      nodes: {
        wait_1h: { type: "delay", duration: hours(1), next: "reminder" },
        reminder: send(r.template("cart_1"), null, "wait_23h"),
        wait_23h: { type: "delay", duration: hours(23), next: "incentive" },
        incentive: send(r.template("cart_2"), null, "wait_48h"),
        wait_48h: { type: "delay", duration: hours(48), next: "last_call" },
        last_call: send(r.template("cart_3"), null, null),
      },
    }),
  },
  {
    key: "browse_abandonment",
    name: "Browse abandonment",
    description: "Someone looked at a product but did not add anything to their cart within 4 hours, nor order in the last day: one email featuring that product.",
    trigger: "Product Viewed",
    emails: [{ template: email("browse_1"), when: "4 hours after the view, when nothing was added to the cart" }],
    topics: [],
    segment: null,
    sample: { product_id: "lamp-07", name: "Brass desk lamp", price: 120, currency: "USD", url: "https://shop.example.com/products/brass-lamp", image_url: "https://shop.example.com/img/lamp.jpg" },
    build: (r) => ({
      trigger: { type: "event", event: "Product Viewed", where: [] },
      settings: { reentry: { kind: "after_days", days: 14 }, goal: ORDERED, exitOnUnsubscribe: true, holdoutPercent: 0 },
      entry: "wait_add",
      nodes: {
        wait_add: { type: "wait_event", event: "Product Added", where: [], matchTrigger: [], timeout: hours(4), next: "added", timeoutNext: "no_recent_order" },
        added: { type: "exit" },
        no_recent_order: {
          type: "condition",
          check: { kind: "segment", definition: group("all", { type: "event", name: "Order Completed", where: [], window: { kind: "last_days", days: 1 }, count: { op: "at_most", value: 0 } }) },
          yes: "viewed",
          no: "ordered",
        },
        viewed: send(r.template("browse_1"), null, null),
        ordered: { type: "exit" },
      },
    }),
  },
  {
    key: "post_purchase",
    name: "Post-purchase",
    description: "After every order: a thank-you with the order summary, care tips once it has arrived, a review request, and a month later a cross-sell unless they have ordered again.",
    trigger: "Order Completed",
    emails: [
      { template: email("post_1"), when: "at once" },
      { template: email("post_2"), when: "after 5 days" },
      { template: email("post_3"), when: "after 14 days" },
      { template: email("post_4"), when: "after 30 days, if they have not ordered again" },
    ],
    topics: [],
    segment: null,
    sample: { order_id: "1042", total: 70, revenue: 62, currency: "USD", products: SAMPLE_PRODUCTS },
    build: (r) => ({
      trigger: { type: "event", event: "Order Completed", where: [] },
      settings: { reentry: { kind: "always" }, goal: null, exitOnUnsubscribe: true, holdoutPercent: 0 },
      entry: "thanks",
      nodes: {
        thanks: send(r.template("post_1"), null, "wait_5d"),
        wait_5d: { type: "delay", duration: days(5), next: "tips" },
        tips: send(r.template("post_2"), null, "wait_9d"),
        wait_9d: { type: "delay", duration: days(9), next: "review" },
        review: send(r.template("post_3"), null, "wait_16d"),
        wait_16d: { type: "delay", duration: days(16), next: "ordered_again" },
        ordered_again: { type: "condition", check: { kind: "event_since_entry", event: "Order Completed", where: [] }, yes: "repeat_buyer", no: "cross_sell" },
        repeat_buyer: { type: "exit" },
        cross_sell: send(r.template("post_4"), null, null),
      },
    }),
  },
  {
    key: "win_back",
    name: "Win-back",
    description: "Customers whose last order was more than 90 days ago get a 'we miss you' email; a week later, those who opened it get 15% off. An order ends it.",
    trigger: "Enters the segment 'No order in 90 days' (customers whose last order is over 90 days old)",
    emails: [
      { template: email("winback_1"), when: "on entering the segment" },
      { template: email("winback_2"), when: "after 7 days, if they opened or clicked the first email" },
    ],
    topics: [],
    segment: {
      key: "no_order_90",
      name: "No order in 90 days",
      description: "Customers whose last order was more than 90 days ago (used by the win-back flow)",
      definition: group("all", { type: "property", field: "order_count", op: "gte", value: 1 }, { type: "property", field: "last_order_at", op: "more_than_days_ago", days: 90 }),
    },
    sample: { segment_id: 1 },
    build: (r) => ({
      trigger: { type: "segment", segmentId: r.segment("no_order_90") },
      settings: { reentry: { kind: "after_days", days: 180 }, goal: ORDERED, exitOnUnsubscribe: true, holdoutPercent: 0 },
      entry: "miss_you",
      nodes: {
        miss_you: send(r.template("winback_1"), null, "wait_7d"),
        wait_7d: { type: "delay", duration: days(7), next: "engaged" },
        engaged: { type: "condition", check: { kind: "email", action: "opened", nodeId: "miss_you" }, yes: "incentive", no: "not_engaged" },
        incentive: send(r.template("winback_2"), null, null),
        not_engaged: { type: "exit" },
      },
    }),
  },
  {
    key: "birthday",
    name: "Birthday",
    description: "A birthday email with a 15% code at 9:00 in each contact's own time zone, once a year.",
    trigger: "Birthday, at 9:00 local time",
    emails: [{ template: email("birthday_1"), when: "on the birthday at 9:00 local time" }],
    topics: [],
    segment: null,
    sample: {},
    build: (r) => ({
      trigger: { type: "date", field: "birthday", hour: 9, offsetDays: 0 },
      // "always": the cron starts a date trigger at most once a year per contact
      settings: { reentry: { kind: "always" }, goal: null, exitOnUnsubscribe: true, holdoutPercent: 0 },
      entry: "gift",
      nodes: {
        gift: send(r.template("birthday_1"), null, null),
      },
    }),
  },
  {
    key: "lead_nurture",
    name: "Lead nurture",
    description: "For people who sign up for your guides (or whom you start by hand or API): a guide, a case study 3 days later, and 4 days after that an offer for those who clicked, a friendly check-in for those who did not.",
    trigger: "Joins the Guides topic (or started by hand or API)",
    emails: [
      { template: email("nurture_1"), when: "at once" },
      { template: email("nurture_2"), when: "after 3 days" },
      { template: email("nurture_3"), when: "after 7 days, if they clicked an earlier email" },
      { template: email("nurture_4"), when: "after 7 days, if they did not click" },
    ],
    topics: [GUIDES],
    segment: null,
    sample: { topic: "guides", source: "form" },
    build: (r) => ({
      trigger: { type: "topic", topic: "guides" },
      settings: { reentry: { kind: "never" }, goal: ORDERED, exitOnUnsubscribe: true, holdoutPercent: 0 },
      entry: "guide",
      nodes: {
        guide: send(r.template("nurture_1"), r.topic("guides"), "wait_3d"),
        wait_3d: { type: "delay", duration: days(3), next: "case_study" },
        case_study: send(r.template("nurture_2"), r.topic("guides"), "wait_4d"),
        wait_4d: { type: "delay", duration: days(4), next: "clicked" },
        clicked: { type: "condition", check: { kind: "email", action: "clicked" }, yes: "offer", no: "check_in" },
        offer: send(r.template("nurture_3"), r.topic("guides"), null),
        check_in: send(r.template("nurture_4"), r.topic("guides"), null),
      },
    }),
  },
  {
    key: "sunset",
    name: "Sunset",
    description: "Subscribers who have not opened or clicked in 120 days get one 'still want to hear from us?' email. If they neither open nor click it within 14 days, they are unsubscribed from your marketing topics, which protects your sender reputation.",
    trigger: "Enters the segment 'Unengaged (120 days)'",
    emails: [{ template: email("sunset_1"), when: "on entering the segment; unsubscribed 14 days later without an open or click" }],
    // unsubscribes from the marketing topics the store has when the flow is installed (the step lists them)
    topics: [],
    segment: {
      key: "unengaged_120",
      name: "Unengaged (120 days)",
      description: "Subscribed, on the list for over 120 days, no human open or click in 120 days, and at least 3 emails since their last open (used by the sunset flow)",
      definition: group(
        "all",
        { type: "topic", topic: "*", subscribed: true },
        { type: "property", field: "created_at", op: "more_than_days_ago", days: 120 },
        { type: "engagement", action: "opened", days: 120, negate: true },
        { type: "engagement", action: "clicked", days: 120, negate: true },
        { type: "unengaged", received: 3 },
      ),
    },
    sample: { segment_id: 2 },
    build: (r) => ({
      trigger: { type: "segment", segmentId: r.segment("unengaged_120") },
      settings: { reentry: { kind: "after_days", days: 180 }, goal: null, exitOnUnsubscribe: true, holdoutPercent: 0 },
      entry: "ask",
      nodes: {
        ask: send(r.template("sunset_1"), null, "wait_14d"),
        wait_14d: { type: "delay", duration: days(14), next: "engaged" },
        // an open counts (a click implies one); machine opens (Apple Mail Privacy Protection) do not
        engaged: { type: "condition", check: { kind: "email", action: "opened", nodeId: "ask" }, yes: "kept", no: "unsubscribe" },
        kept: { type: "exit" },
        unsubscribe: {
          type: "update",
          properties: {},
          topics: Object.fromEntries([...new Set(["newsletter", ...r.marketingTopics])].map((k) => [k, "unsubscribed" as const])),
          next: "done",
        },
        done: { type: "exit" },
      },
    }),
  },
];

export function prebuiltFlow(key: string): PrebuiltFlow | undefined {
  return PREBUILT_FLOWS.find((f) => f.key === key);
}

/** The catalog as the admin UI lists it. */
export function prebuiltCatalog() {
  return PREBUILT_FLOWS.map((f) => ({
    key: f.key,
    name: f.name,
    description: f.description,
    trigger: f.trigger,
    emails: f.emails.map((e) => ({ name: e.template.name, subject: e.template.subject, when: e.when })),
    creates: { topics: f.topics.map((t) => t.key), segment: f.segment?.name ?? null },
  }));
}

/** The flow's definition with the store's ids and a canvas layout; throws if it does not pass parseFlow. */
export function instantiate(flow: PrebuiltFlow, refs: Refs): FlowDefinition {
  const def = flow.build(refs);
  return parseFlow({ ...def, layout: treeLayout(def) });
}

const COLUMN = 260;
const ROW = 140;

/**
 * A top-to-bottom tree: each step one row below the step before it, branches side by side (yes/next on the left),
 * a parent centred over its branches. A step reached twice keeps its first place.
 */
export function treeLayout(def: Pick<FlowDefinition, "entry" | "nodes">): Record<string, { x: number; y: number }> {
  const layout: Record<string, { x: number; y: number }> = {};
  if (!def.entry || !def.nodes[def.entry]) return layout;
  const placed = new Set<string>();
  const children = new Map<string, string[]>();
  // First visit wins: build the spanning tree breadth-first, so each step sits at its shortest depth.
  const depth = new Map<string, number>([[def.entry, 0]]);
  const queue = [def.entry];
  placed.add(def.entry);
  while (queue.length) {
    const id = queue.shift()!;
    const kids: string[] = [];
    for (const to of successors(def.nodes[id]!)) {
      if (to && def.nodes[to] && !placed.has(to)) {
        placed.add(to);
        depth.set(to, depth.get(id)! + 1);
        kids.push(to);
        queue.push(to);
      }
    }
    children.set(id, kids);
  }
  const width = new Map<string, number>();
  const measure = (id: string): number => {
    const w = Math.max(1, (children.get(id) ?? []).reduce((s, k) => s + measure(k), 0));
    width.set(id, w);
    return w;
  };
  measure(def.entry);
  const place = (id: string, left: number) => {
    layout[id] = { x: Math.round((left + width.get(id)! / 2 - 0.5) * COLUMN), y: depth.get(id)! * ROW };
    let at = left;
    for (const k of children.get(id) ?? []) {
      place(k, at);
      at += width.get(k)!;
    }
  };
  place(def.entry, 0);
  return layout;
}
