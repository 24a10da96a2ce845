/**
 * What the toolbar button shows: total unread across accounts (`99+` above 99, nothing at
 * zero), or `!` in a warning colour when an account cannot be checked; the tooltip lists each
 * account with its count and last successful check. Pure: the caller applies it.
 */
import type { AccountStatus } from '../extension/contract.ts';

export interface BadgeView {
  text: string;
  color: string;
  title: string;
}

/** Badge colours: the accent for mail, amber for a problem. */
export const BADGE_COLORS = { mail: '#2563eb', warning: '#d97706' } as const;
/** Above this the count is shown as `99+` (the badge has room for about four characters). */
export const BADGE_MAX = 99;

export interface BadgeAccount {
  id: string;
  name: string;
  enabled: boolean;
}

function when(ms: number | null, now: number): string {
  if (ms === null) return 'never checked';
  const minutes = Math.round((now - ms) / 60_000);
  if (minutes < 1) return 'checked just now';
  if (minutes < 60) return `checked ${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `checked ${hours} h ago`;
  return `checked ${new Date(ms).toLocaleDateString()}`;
}

/**
 * The badge for these accounts. `count` is what the number means: unread mail, or mail new
 * since the popup was last opened (badge mode "new").
 */
export function badgeFor(
  accounts: BadgeAccount[],
  statuses: Map<string, AccountStatus>,
  count: (status: AccountStatus) => number,
  now: number,
): BadgeView {
  const active = accounts.filter((a) => a.enabled);
  let total = 0;
  const lines: string[] = [];
  const failing: string[] = [];
  for (const account of active) {
    const status = statuses.get(account.id);
    const n = status ? count(status) : 0;
    total += n;
    const state = status?.state === 'error' && status.error ? ` — ${status.error.message}` : '';
    if (status?.state === 'error') failing.push(account.name);
    lines.push(`${account.name}: ${n} unread, ${when(status?.lastSuccess ?? null, now)}${state}`);
  }
  if (active.length === 0) return { text: '', color: BADGE_COLORS.mail, title: 'Biff — no accounts yet' };
  if (failing.length > 0) {
    return {
      text: '!',
      color: BADGE_COLORS.warning,
      title: [`Biff — cannot check ${failing.join(', ')}`, ...lines].join('\n'),
    };
  }
  const text = total === 0 ? '' : total > BADGE_MAX ? `${BADGE_MAX}+` : String(total);
  return { text, color: BADGE_COLORS.mail, title: ['Biff', ...lines].join('\n') };
}
