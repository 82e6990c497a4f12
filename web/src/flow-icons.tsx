/** Line icons the flow editor needs beyond the shared set, drawn the same way (24px grid, currentColor). */
import { Icon, LineIcon, type IconName } from "./icons";
import type { NodeType } from "./flow-model";

const paths = {
  minus: <path d="M5 12h14" />,
  fit: <path d="M4 9V5.5A1.5 1.5 0 0 1 5.5 4H9M15 4h3.5A1.5 1.5 0 0 1 20 5.5V9M20 15v3.5a1.5 1.5 0 0 1-1.5 1.5H15M9 20H5.5A1.5 1.5 0 0 1 4 18.5V15" />,
  hourglass: <path d="M6.5 3h11M6.5 21h11M7.5 3v3.2a4 4 0 0 0 1.6 3.2L12 12l2.9-2.6a4 4 0 0 0 1.6-3.2V3M7.5 21v-3.2a4 4 0 0 1 1.6-3.2L12 12l2.9 2.6a4 4 0 0 1 1.6 3.2V21" />,
  calendar: (
    <>
      <rect x="3.5" y="5" width="17" height="15.5" rx="2" />
      <path d="M3.5 10h17M8 3v4M16 3v4M12 13.5v3l2 1" />
    </>
  ),
  branch: (
    <>
      <circle cx="6" cy="5" r="2" />
      <circle cx="6" cy="19" r="2" />
      <circle cx="18" cy="19" r="2" />
      <path d="M6 7v10M6 11c0 3 12 1.5 12 6" />
    </>
  ),
  split: <path d="M12 3v6M12 9 6 15v6M12 9l6 6v6M4 18l2 3 2-3M16 18l2 3 2-3" />,
  webhook: (
    <>
      <path d="M9.5 7.5a3 3 0 1 1 4.9 2.3L17 14.5" />
      <path d="M7.4 11.2a3 3 0 1 0 3.1 4.8H16" />
      <path d="M16.4 13a3 3 0 1 1-.4 6" />
    </>
  ),
  door: (
    <>
      <path d="M14 3H6.5A1.5 1.5 0 0 0 5 4.5v15A1.5 1.5 0 0 0 6.5 21H14" />
      <path d="M11 12h10M18 9l3 3-3 3" />
    </>
  ),
  updateUser: (
    <>
      <circle cx="9" cy="8" r="3.5" />
      <path d="M2.5 20c.6-3.6 3.2-5.5 6.5-5.5 1.3 0 2.5.3 3.5.9" />
      <path d="m19.5 13.5 1.5 1.5-5 5H14.5V18.5z" />
    </>
  ),
  play: <path d="M7 4.5v15l12-7.5z" />,
  pause: <path d="M8 4.5v15M16 4.5v15" />,
  archive: (
    <>
      <rect x="3" y="4" width="18" height="4.5" rx="1" />
      <path d="M4.5 8.5V19a1.5 1.5 0 0 0 1.5 1.5h12a1.5 1.5 0 0 0 1.5-1.5V8.5M10 12.5h4" />
    </>
  ),
  route: (
    <>
      <circle cx="6" cy="18" r="2.5" />
      <circle cx="18" cy="6" r="2.5" />
      <path d="M8.5 18H15a3 3 0 0 0 0-6H9a3 3 0 0 1 0-6h6.5" />
    </>
  ),
  flask: <path d="M9.5 3h5M10 3v6L4.8 18.2A1.8 1.8 0 0 0 6.4 21h11.2a1.8 1.8 0 0 0 1.6-2.8L14 9V3M7.5 15h9" />,
};

export type FlowIconName = keyof typeof paths;

export function FlowIcon({ name, size = 18, class: cls }: { name: FlowIconName | IconName; size?: number; class?: string }) {
  if (!(name in paths)) return <Icon name={name as IconName} size={size} class={cls} />;
  return <LineIcon size={size} class={cls}>{paths[name as FlowIconName]}</LineIcon>;
}

export const NODE_ICONS: Record<NodeType, FlowIconName | IconName> = {
  send: "mail",
  delay: "hourglass",
  wait_until: "calendar",
  wait_event: "bolt",
  condition: "branch",
  split: "split",
  update: "updateUser",
  webhook: "webhook",
  exit: "door",
};
