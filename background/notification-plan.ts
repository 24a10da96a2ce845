/**
 * Decides which desktop notifications new mail gets: none in quiet hours or for accounts with
 * notifications off; one per message for a few; one "N new messages" when several arrive at
 * once. Pure, so the rules are tested without a browser.
 */
import type { MessageRow } from '../extension/store/schema.ts';
import type { Translate } from '../extension/ui/translate.ts';

/** More than this many new messages at once collapse into one summary notification. */
export const COLLAPSE_ABOVE = 1;

export interface QuietHours {
  enabled: boolean;
  /** "HH:MM", local time. */
  start: string;
  end: string;
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Whether `date` (local time) falls in the quiet range; a range may wrap midnight (22:00–07:00). */
export function inQuietHours(date: Date, quiet: QuietHours): boolean {
  if (!quiet.enabled) return false;
  const now = date.getHours() * 60 + date.getMinutes();
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

export type PlannedNotification =
  | { kind: 'single'; message: MessageRow; title: string; body: string }
  | { kind: 'summary'; count: number; title: string; body: string; messageIds: string[] };

function sender(t: Translate, row: MessageRow): string {
  return row.from?.name || row.from?.address || t('bg_unknown_sender');
}

function subject(t: Translate, row: MessageRow): string {
  return row.subject || t('bg_no_subject');
}

/** The notifications for messages that just arrived; `t` gives their words. */
export function planNotifications(
  messages: MessageRow[],
  accountName: (id: string) => string,
  t: Translate,
): PlannedNotification[] {
  if (messages.length === 0) return [];
  if (messages.length > COLLAPSE_ABOVE) {
    const newest = [...messages].sort((a, b) => b.date - a.date);
    const accounts = [...new Set(newest.map((m) => accountName(m.accountId)))];
    return [
      {
        kind: 'summary',
        count: messages.length,
        title: t('bg_notify_many_title', messages.length),
        body: [
          ...newest.slice(0, 3).map((m) => t('bg_notify_line', sender(t, m), subject(t, m))),
          ...(newest.length > 3 ? [t('bg_notify_more', newest.length - 3)] : []),
          accounts.join(', '),
        ].join('\n'),
        messageIds: newest.map((m) => m.id),
      },
    ];
  }
  return messages.map((message) => ({
    kind: 'single' as const,
    message,
    title: t('bg_notify_one_title', sender(t, message), subject(t, message)),
    body: message.preview.split(/\r?\n/).find((l) => l.trim() !== '') ?? '',
  }));
}

/**
 * Makes the ids of one background's notifications: `biff-<run>-<n>`, `run` new at every start
 * of the background. Chrome replaces a notification shown under an id that is used again, so a
 * counter restarting at `biff-1` in every new worker made a new message's notification silently
 * take the place of another one still on screen. `run` mixes the start time with randomness:
 * two workers started in the same millisecond still differ.
 */
export function notificationIds(run: string = newRunId()): () => string {
  let next = 0;
  return () => `biff-${run}-${++next}`;
}

function newRunId(): string {
  return `${Date.now().toString(36)}${crypto.randomUUID().slice(0, 8)}`;
}
