/**
 * Service-worker entry: wires the engine to the browser. Message router, alarms, badge,
 * notifications. Durable state lives in IndexedDB and storage.local; everything here is a
 * cache rebuilt at every start, because Chrome stops an MV3 worker whenever it likes.
 */
import type { Account } from '../extension/accounts.ts';
import type { BackgroundEvent } from '../extension/contract.ts';
import { Actions } from '../extension/engine/actions.ts';
import { DeleteHolds } from '../extension/engine/delete-holds.ts';
import { Engine, type SavedEngineState } from '../extension/engine/engine.ts';
import { imapDriver } from '../extension/mail/imap/driver.ts';
import { pop3Driver } from '../extension/mail/pop3/driver.ts';
import type { Secret } from '../extension/mail/redact.ts';
import {
  alarms,
  broadcast,
  extensionSelf,
  launchWebAuthFlow,
  localArea,
  NEEDS_KEEP_ALIVE,
  notifications,
  oauthRedirectUri,
  onInstalled,
  onRuntimeMessage,
  onStartup,
  openOptionsPage,
  sessionArea,
  setBadge,
  touchBackground,
} from '../extension/platform.ts';
import { BodiesRepo } from '../extension/store/bodies-repo.ts';
import { MessagesRepo } from '../extension/store/messages-repo.ts';
import { requestPersistentStorage } from '../extension/store/persistence.ts';
import { type MessageRow, openBiffDb } from '../extension/store/schema.ts';
import { SettingsStore } from '../extension/store/settings.ts';
import { t } from '../extension/ui/i18n.ts';
import { badgeFor } from './badge.ts';
import { createHandlers } from './handlers.ts';
import { KeepAlive } from './keep-alive.ts';
import { Notifier } from './notifier.ts';
import { PUSH_WATCH_ALARM, PushWatch } from './push-watch.ts';
import { createRouter } from './router.ts';

/** storage.local key of the engine's saved state (statuses, backoff, "new since last look"). */
const STATE_KEY = 'engineState';
/** Alarm names: one per account, `check:<accountId>`, set to its next check. */
const CHECK_ALARM = 'check:';
/**
 * The alarm set to the end of the earliest undo window (Actions' `wake`): it wakes a stopped
 * worker to apply the delete. Nothing relies on runtime.onSuspend, which Chrome's service
 * worker never gets; the windows are stored, so there is nothing left to save at a suspend.
 * (The engine's throttled progress events are the one timer left that a stop ends: they are
 * cosmetic, and the next check reports progress again.)
 */
const UNDO_ALARM = 'undo-window';
/**
 * Alarm names: one per OAuth account, `token:<accountId>`, set to its token's refresh ahead of
 * expiry (a timer would die with the sleeping worker; an alarm wakes it).
 */
const TOKEN_ALARM = 'token:';
/** Cached bodies of IMAP mail beyond this are evicted, least recently opened first. */
const BODY_BUDGET_BYTES = 256 * 1024 * 1024;

/** Messages after which the lock state may have changed: the badge follows. */
const LOCK_MESSAGES = new Set([
  'unlock',
  'setPrimaryPassword',
  'removePrimaryPassword',
  'forgetPrimaryPassword',
]);

const settings = new SettingsStore(localArea, sessionArea);

/**
 * Watchers of every new-mail announcement from the worker's first moment, start-up included:
 * what a script run before this one put in `globalThis.biffNewMailWatchers` (the soak's
 * recorder, test/soak/soak-run.ts; hooking the engine once `biff.ready` resolved missed what
 * push announced while the worker was still starting). Nothing sets it in the product: empty.
 */
function newMailWatchers(): Array<(account: Account, messages: MessageRow[]) => void> {
  const watchers = (globalThis as { biffNewMailWatchers?: unknown }).biffNewMailWatchers;
  return Array.isArray(watchers) ? watchers : [];
}

async function boot() {
  const [db, saved] = await Promise.all([openBiffDb(), localArea.get(STATE_KEY)]);
  void requestPersistentStorage();
  let persistQueued = false;
  let latest: SavedEngineState | null = null;
  // Set right after the engine exists; new mail cannot arrive before engine.start().
  let notifier: Notifier | undefined;
  const keepAlive = new KeepAlive(touchBackground);
  const pushWatch = new PushWatch(alarms);

  const emit = (event: BackgroundEvent) => {
    broadcast(event);
    if (event.biffEvent !== 'status') return;
    void refreshBadgeAndAlarms();
    if (NEEDS_KEEP_ALIVE) keepAlive.set(engine.status().accounts.some((s) => s.push));
  };
  const holds = new DeleteHolds();
  const bodies = new BodiesRepo(db);
  const engine: Engine = new Engine({
    db,
    settings,
    drivers: { imap: imapDriver, pop3: pop3Driver },
    holds,
    saved: saved[STATE_KEY] as SavedEngineState | undefined,
    emit,
    persist: (state) => {
      latest = state;
      if (persistQueued) return;
      persistQueued = true;
      setTimeout(() => {
        persistQueued = false;
        void localArea.set({ [STATE_KEY]: latest });
      }, 200);
    },
    onNewMail: (account, messages) => {
      for (const watch of newMailWatchers()) watch(account, messages);
      void notifier?.announce(account, messages);
    },
    onSignInNeeded: (account) => void notifier?.signInNeeded(account),
    scheduleTokenRefresh: (id, at) =>
      void (at === null ? alarms.clear(TOKEN_ALARM + id) : alarms.at(TOKEN_ALARM + id, at)),
  });
  const actions = new Actions({
    engine,
    db,
    holds,
    emit,
    area: localArea,
    // Unpacked, Chrome fires alarms under its 30 s minimum (with a warning); packed, it moves
    // this one up to 30 s later, which only delays a delete whose worker was stopped.
    wake: (at) => void (at === null ? alarms.clear(UNDO_ALARM) : alarms.at(UNDO_ALARM, at)),
  });
  const notifierInstance = new Notifier(
    actions,
    async () => (await settings.getSettings()).quietHours,
    (id) => engine.account(id)?.name ?? '',
    t,
  );
  notifier = notifierInstance;

  /** Per alarm, the next check it was set for (its own time may differ, see below). */
  const alarmFor = new Map<string, number>();

  async function refreshBadgeAndAlarms(): Promise<void> {
    const mode = (await settings.getSettings()).badgeMode;
    const statuses = new Map(engine.status().accounts.map((s) => [s.accountId, s]));
    setBadge(
      badgeFor(
        engine.listAccounts(),
        statuses,
        (s) => (mode === 'new' ? engine.newCount(s.accountId) : s.unread),
        Date.now(),
        t,
        engine.locked,
      ),
    );
    // Locked, no push is wanted: the push-watch alarm goes too (the unlock sets it again).
    await pushWatch.follow(engine.wantsPush());
    // Locked, no check can run: the alarms stay as they are until the unlock sets them anew.
    if (engine.locked) return;
    const existing = new Map((await alarms.all()).map((a) => [a.name, a.scheduledTime]));
    for (const account of engine.listAccounts()) {
      const name = CHECK_ALARM + account.id;
      const next = account.enabled ? engine.scheduler.status(account.id).nextCheck : null;
      if (next === null) {
        // Disabled, or a failure retrying cannot fix (a rejected password, an untrusted
        // certificate): an alarm left from before would retry it all the same.
        if (existing.has(name)) await alarms.clear(name);
        continue;
      }
      // The alarm's time is not always `next`: an overdue check is set a second ahead, and
      // Chrome moves a packed extension's alarms at least 30 s ahead. Comparing only with
      // `next` re-created such an alarm on every status change (each push, each other
      // account's check), pushing it further out each time, and replaced an alarm that was
      // due but not yet dispatched. An alarm already set for this `next` is left alone.
      const set = existing.get(name);
      if (set !== undefined && (set === next || alarmFor.get(name) === next)) {
        alarmFor.set(name, next);
        continue;
      }
      alarmFor.set(name, next);
      await alarms.at(name, Math.max(next, Date.now() + 1000));
    }
    for (const name of existing.keys()) {
      if (name.startsWith(CHECK_ALARM) && !engine.account(name.slice(CHECK_ALARM.length)))
        await alarms.clear(name);
    }
  }

  function onAlarm(name: string): void {
    if (name === PUSH_WATCH_ALARM) {
      pushWatch.fired(engine);
      return;
    }
    if (name === UNDO_ALARM) {
      void actions.commitDue();
      return;
    }
    if (name.startsWith(TOKEN_ALARM)) {
      void engine.refreshTokenIfDue(name.slice(TOKEN_ALARM.length));
      return;
    }
    if (!name.startsWith(CHECK_ALARM)) return;
    const id = name.slice(CHECK_ALARM.length);
    if (!engine.account(id)) return;
    // 1. A check is running (the start-up check of a worker this alarm woke): its end sets the
    //    next check and so the next alarm; a second check right after it would find nothing.
    // 2. No next check (see refreshBadgeAndAlarms): the alarm is a leftover.
    if (engine.scheduler.isRunning(id) || engine.scheduler.status(id).nextCheck === null) return;
    void engine
      .sync(id, 'alarm')
      .then(() => bodies.evictBodies({ budgetBytes: BODY_BUDGET_BYTES }).catch(() => undefined));
  }

  /** Every secret the background holds, for the router to redact from failures. */
  async function secrets(): Promise<Secret[]> {
    const list: Secret[] = [];
    // Locked by the primary password: every secret is sealed and none was read in this browser
    // session, so none can be in a failure (and asking for one would fail the failure itself).
    if ((await settings.primaryPassword()) === 'locked') return list;
    for (const account of engine.listAccounts()) {
      const password = await settings.getPassword(account.id);
      if (password) list.push({ secret: password, user: account.username });
      // An OAuth account's tokens are secrets like a password.
      const tokens = await settings.getTokens(account.id);
      if (tokens?.refreshToken) list.push({ secret: tokens.refreshToken });
      if (tokens) list.push({ secret: tokens.accessToken });
    }
    const token = (await settings.getSettings()).relay?.token;
    if (token) list.push({ secret: token });
    return list;
  }
  const route = createRouter(
    createHandlers({
      engine,
      actions,
      settings,
      signIn: { launch: launchWebAuthFlow, redirectUri: oauthRedirectUri() },
    }),
    extensionSelf(),
    secrets,
  );
  function onMessage(message: unknown, sender: { id?: string; url?: string }) {
    const reply = route(message, sender);
    const name = (message as { name?: string }).name;
    // Accounts or settings changed: the badge and alarms follow at once.
    if (
      reply &&
      (name === 'saveAccount' ||
        name === 'removeAccount' ||
        name === 'saveSettings' ||
        name === 'reorderAccounts' ||
        LOCK_MESSAGES.has(name ?? ''))
    ) {
      void reply.then(() => refreshBadgeAndAlarms());
    }
    return reply;
  }

  // A primary password set and not entered in this browser session: nothing is checked until
  // the popup or the options page unlocks.
  await engine.setLocked((await settings.primaryPassword()) === 'locked');
  // Before the engine starts: its start-up replay must not send a delete still in its window.
  await actions.resumeHolds();
  await engine.start();
  await actions.restoreUnfinishedDeletes();
  await refreshBadgeAndAlarms();
  // Accounts that are due (or never checked) are checked now: the worker may have slept
  // through their alarms.
  for (const id of engine.due(Date.now())) void engine.sync(id, 'startup');
  // `settings` and `messages` are for the console handle below (the benchmark reads them).
  const messages = new MessagesRepo(db);
  return { engine, actions, settings, messages, notifier: notifierInstance, keepAlive, onAlarm, onMessage };
}

const ready = boot();

// MV3: listeners must be registered synchronously at the top level, or the events that woke
// the worker are lost. They wait for start-up to finish.
onRuntimeMessage((message, sender) =>
  (message as { biff?: unknown } | null)?.biff === 1
    ? ready.then((b) => b.onMessage(message, sender))
    : undefined,
);
alarms.onAlarm((name) => void ready.then((b) => b.onAlarm(name)));
notifications.onClicked((id) => void ready.then((b) => b.notifier.clicked(id)));
notifications.onButtonClicked((id, button) => void ready.then((b) => b.notifier.buttonClicked(id, button)));

// Firefox starts the background with the browser only for this listener, and keeps no alarms
// across a restart: without it, after a restart nothing was checked and no lock was shown until
// the popup or the options page was opened. The start-up is boot() itself (it checks what is
// due and sets the alarms again); the listener only has it run.
onStartup(() => void ready);

onInstalled((reason) => {
  if (reason !== 'install') return;
  void ready.then(({ engine }) => {
    if (engine.listAccounts().length === 0) void openOptionsPage();
  });
});

/**
 * A console handle for people debugging Biff in DevTools, and for the browser tests, which
 * drive the built worker through it: `(await biff.ready).engine.status()`.
 */
(globalThis as unknown as { biff: object }).biff = { ready };
