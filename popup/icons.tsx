/** The popup's few line icons, drawn inline so they follow `currentColor` in both themes. Decorative: the buttons carry the names. */
import type { ComponentChildren } from 'preact';

function Icon({ children }: { children: ComponentChildren }) {
  return (
    <svg
      class="icon"
      width="16"
      height="16"
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      stroke-width="1.5"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

/** Circular arrows: sync. */
export function SyncIcon() {
  return (
    <Icon>
      <path d="M13.5 8a5.5 5.5 0 0 1-9.9 3.3" />
      <path d="M2.5 8a5.5 5.5 0 0 1 9.9-3.3" />
      <path d="M12.6 1.8v3h-3" />
      <path d="M3.4 14.2v-3h3" />
    </Icon>
  );
}

/** Sliders: settings. */
export function SettingsIcon() {
  return (
    <Icon>
      <path d="M2 4h7M13 4h1M2 8h2M8 8h6M2 12h8M14 12h0" />
      <circle cx="11" cy="4" r="1.7" />
      <circle cx="6" cy="8" r="1.7" />
      <circle cx="12" cy="12" r="1.7" />
    </Icon>
  );
}

/** An arrow to the left: back. */
export function BackIcon() {
  return (
    <Icon>
      <path d="M13 8H3M7 4 3 8l4 4" />
    </Icon>
  );
}

/** A bin: delete. */
export function TrashIcon() {
  return (
    <Icon>
      <path d="M2.5 4h11M6 4V2.5h4V4M4 4l.7 9.5h6.6L12 4M6.8 6.5v4.5M9.2 6.5v4.5" />
    </Icon>
  );
}

/** A closed envelope: mark as unread. */
export function EnvelopeIcon() {
  return (
    <Icon>
      <rect x="1.8" y="3.5" width="12.4" height="9" rx="1.2" />
      <path d="m2.2 4.2 5.8 4.6 5.8-4.6" />
    </Icon>
  );
}

/** An open envelope: mark as read. */
export function EnvelopeOpenIcon() {
  return (
    <Icon>
      <path d="M1.8 7 8 2.8 14.2 7v5.6a1 1 0 0 1-1 1H2.8a1 1 0 0 1-1-1z" />
      <path d="m2.2 7.4 5.8 4 5.8-4" />
    </Icon>
  );
}

/** A paper clip: attachments. */
export function ClipIcon() {
  return (
    <Icon>
      <path d="m13 7.5-5.2 5.2a3 3 0 0 1-4.3-4.3l5.6-5.6a2 2 0 0 1 2.9 2.9L6.4 11.3a1 1 0 0 1-1.4-1.4l4.8-4.8" />
    </Icon>
  );
}
