/**
 * What the toolbar button shows: total unread across accounts (`99+` above 99, nothing at
 * zero), or `!` in a warning colour when an account cannot be checked, or a lock while the
 * primary password waits to be entered; the tooltip lists each account with its count and
 * last successful check. Pure: the caller applies it.
 */
import type { AccountStatus } from '../extension/contract.ts';
import type { Translate } from '../extension/ui/translate.ts';

export interface BadgeView {
  text: string;
  color: string;
  title: string;
}

/** Badge colours: the accent for mail, amber for a problem, grey while locked (waiting, not failing). */
export const BADGE_COLORS = { mail: '#2563eb', warning: '#d97706', locked: '#4b5563' } as const;
/** The badge while locked: one glyph, unlike any count or `!`. */
export const LOCKED_BADGE = '🔒';
/** Above this the count is shown as `99+` (the badge has room for about four characters). */
export const BADGE_MAX = 99;

export interface BadgeAccount {
  id: string;
  name: string;
  enabled: boolean;
}

function when(t: Translate, ms: number | null, now: number): string {
  if (ms === null) return t('bg_checked_never');
  const minutes = Math.round((now - ms) / 60_000);
  if (minutes < 1) return t('bg_checked_now');
  if (minutes < 60) return t('bg_checked_minutes', minutes);
  const hours = Math.round(minutes / 60);
  if (hours < 24) return t('bg_checked_hours', hours);
  return t('bg_checked_on', new Date(ms).toLocaleDateString());
}

/**
 * The badge for these accounts. `count` is what the number means: unread mail, or mail new
 * since the popup was last opened (badge mode "new"). `t` gives the tooltip's words.
 */
export function badgeFor(
  accounts: BadgeAccount[],
  statuses: Map<string, AccountStatus>,
  count: (status: AccountStatus) => number,
  now: number,
  t: Translate,
  locked = false,
): BadgeView {
  const active = accounts.filter((a) => a.enabled);
  let total = 0;
  const lines: string[] = [];
  const failing: string[] = [];
  for (const account of active) {
    const status = statuses.get(account.id);
    const n = status ? count(status) : 0;
    total += n;
    const checked = when(t, status?.lastSuccess ?? null, now);
    if (status?.state === 'error') failing.push(account.name);
    lines.push(
      status?.state === 'error' && status.error
        ? t('bg_badge_account_error', account.name, n, checked, status.error.message)
        : t('bg_badge_account', account.name, n, checked),
    );
  }
  if (active.length === 0) return { text: '', color: BADGE_COLORS.mail, title: t('bg_badge_no_accounts') };
  // Errors from before the lock are stale, and nothing is checked until the unlock.
  if (locked) {
    const counts = active.map((a) =>
      t(
        'bg_badge_account',
        a.name,
        statuses.get(a.id) ? count(statuses.get(a.id)!) : 0,
        when(t, statuses.get(a.id)?.lastSuccess ?? null, now),
      ),
    );
    return {
      text: LOCKED_BADGE,
      color: BADGE_COLORS.locked,
      title: [t('bg_badge_locked'), ...counts].join('\n'),
    };
  }
  if (failing.length > 0) {
    return {
      text: '!',
      color: BADGE_COLORS.warning,
      title: [t('bg_badge_cannot_check', failing.join(', ')), ...lines].join('\n'),
    };
  }
  const text = total === 0 ? '' : total > BADGE_MAX ? `${BADGE_MAX}+` : String(total);
  return { text, color: BADGE_COLORS.mail, title: [t('bg_badge_title'), ...lines].join('\n') };
}
