/** The tabs of the Contacts section: the contact list and the suppression list. */
import { Tabs } from "../ui";

export function ContactsTabs({ current }: { current: "contacts" | "suppressions" }) {
  return (
    <Tabs
      items={[
        { href: "/contacts", label: "All contacts" },
        { href: "/contacts/suppressions", label: "Suppressions" },
      ]}
      current={current === "contacts" ? "/contacts" : "/contacts/suppressions"}
    />
  );
}
