/**
 * Desktop notifications for new mail: planned by notification-plan.ts, shown through the
 * platform, and the clicks routed back (open the message; Chrome's "Mark as read" and
 * "Delete" buttons). Which notification shows which messages is kept in memory only: after a
 * worker restart an old notification's click just opens the popup.
 */
import type { Account } from '../extension/accounts.ts';
import type { Actions } from '../extension/engine/actions.ts';
import { notifications, openOptionsPage, openPopupAt } from '../extension/platform.ts';
import type { MessageRow } from '../extension/store/schema.ts';
import type { Translate } from '../extension/ui/translate.ts';
import { inQuietHours, notificationIds, planNotifications, type QuietHours } from './notification-plan.ts';

/** The buttons on a single-message notification (Chrome), in order: their UI strings. */
export const BUTTONS = ['bg_button_mark_read', 'bg_button_delete'] as const;

export class Notifier {
  private readonly shown = new Map<string, string[]>();
  private readonly signIns = new Set<string>();
  /** Ids unique across background restarts, see notificationIds. */
  private readonly nextId = notificationIds();

  constructor(
    private readonly actions: Actions,
    private readonly quietHours: () => Promise<QuietHours>,
    private readonly accountName: (id: string) => string,
    private readonly t: Translate,
  ) {}

  /** Announces messages that just arrived for `account`, unless it is quiet time. */
  async announce(_account: Account, messages: MessageRow[]): Promise<void> {
    if (inQuietHours(new Date(), await this.quietHours())) return;
    for (const plan of planNotifications(messages, this.accountName, this.t)) {
      const id = this.nextId();
      if (plan.kind === 'single') {
        this.shown.set(id, [plan.message.id]);
        await notifications.create(id, {
          title: plan.title,
          message: plan.body,
          buttons: BUTTONS.map((key) => this.t(key)),
        });
      } else {
        this.shown.set(id, plan.messageIds);
        await notifications.create(id, { title: plan.title, message: plan.body });
      }
    }
  }

  /**
   * An OAuth account's sign-in was refused: one notification (the engine reports each refusal
   * once); clicking it opens the settings, where "Sign in" is.
   */
  async signInNeeded(account: Account): Promise<void> {
    const id = `biff-signin-${account.id}`;
    this.signIns.add(id);
    await notifications.create(id, {
      title: this.t('bg_sign_in_again_title', account.name),
      message: this.t('bg_sign_in_again_body'),
    });
  }

  /** A notification was clicked: open its message (or the popup for a summary). */
  async clicked(id: string): Promise<void> {
    if (this.signIns.delete(id)) {
      await notifications.clear(id);
      await openOptionsPage();
      return;
    }
    const ids = this.shown.get(id);
    this.shown.delete(id);
    await notifications.clear(id);
    await openPopupAt(ids?.length === 1 ? `popup.html?open=${encodeURIComponent(ids[0]!)}` : 'popup.html');
  }

  /** A notification button was clicked (Chrome). */
  async buttonClicked(id: string, button: number): Promise<void> {
    const ids = this.shown.get(id);
    this.shown.delete(id);
    await notifications.clear(id);
    if (!ids) return;
    if (BUTTONS[button] === 'bg_button_mark_read') await this.actions.setSeen(ids, true);
    else if (BUTTONS[button] === 'bg_button_delete') await this.actions.deleteMessages(ids);
  }
}
