/**
 * The account editor: address and password first, server settings found from the address
 * (`guessSettings`) and always editable, a staged "Test connection", and one `saveAccount` on
 * Save after every field is valid, so nothing is stored half-way.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Account } from '../extension/accounts.ts';
import { candidatesFor, splitAddress } from '../extension/providers/guess.ts';
import { errorText } from '../extension/ui/error-text.ts';
import { t } from '../extension/ui/i18n.ts';
import { send } from '../extension/ui/send.ts';
import {
  type AccountDraft,
  applyCandidate,
  defaultAccount,
  draftFromAccount,
  draftToAccount,
  passwordToSend,
  type ServerPatch,
  withEmail,
  withServerChange,
} from './account-draft.ts';
import { CheckingFields } from './checking-fields.tsx';
import { nextColor } from './colors.ts';
import { ConnectionTest } from './connection-test.tsx';
import { DisplayFields } from './display-fields.tsx';
import type { FolderChoice } from './folder-choices.ts';
import type { GuessCandidate, GuessState } from './guess-state.ts';
import { ImapFields } from './imap-fields.tsx';
import { Pop3Fields } from './pop3-fields.tsx';
import { ServerFields } from './server-fields.tsx';
import { SignInFields } from './sign-in-fields.tsx';
import type { TestState } from './test-state.ts';
import { type DraftField, firstInvalid, type ValidationScope, validateDraft } from './validate-draft.ts';

interface Props {
  /** The account to edit, or null to add one. */
  account: Account | null;
  /** Colours other accounts use, so a new one gets a free swatch. */
  usedColors: readonly string[];
  onSaved: (account: Account) => void;
  onCancel: () => void;
}

/** The element that receives focus for a field's error. */
const FIELD_ELEMENT: Record<DraftField, string> = {
  email: 'account-email',
  password: 'account-password',
  host: 'account-host',
  port: 'account-port',
  username: 'account-username',
  name: 'account-name',
  color: 'account-color-custom',
  checkInterval: 'account-interval',
  folders: 'account-folder-0',
  syncWindow: 'account-sync-window',
  deleteAfterDays: 'account-delete-days',
};

function focusField(field: DraftField) {
  document.getElementById(FIELD_ELEMENT[field])?.focus();
}

export function AccountEditor({ account, usedColors, onSaved, onCancel }: Props) {
  const [draft, setDraftState] = useState<AccountDraft>(() =>
    account
      ? draftFromAccount(account, false)
      : draftFromAccount(defaultAccount(crypto.randomUUID(), nextColor(usedColors)), true),
  );
  // Async results (guesses) read the latest draft, not the one of the render that started them.
  const draftRef = useRef(draft);
  const setDraft = (next: AccountDraft) => {
    draftRef.current = next;
    setDraftState(next);
  };
  /** Errors are shown once Save or Test was tried, and then follow every edit. */
  const [attempted, setAttempted] = useState<ValidationScope | null>(null);
  const [guess, setGuess] = useState<GuessState>({ state: 'idle' });
  const [test, setTest] = useState<TestState>({ state: 'idle' });
  const [folders, setFolders] = useState<FolderChoice[] | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Later requests win: an answer that arrives after a newer request (or an edit) is dropped.
  const guessSeq = useRef(0);
  const testSeq = useRef(0);

  useEffect(() => {
    if (account) headingRef.current?.focus();
    else document.getElementById('account-email')?.focus();
  }, [account]);

  const errors = attempted ? validateDraft(draft, attempted) : {};

  /** An edit that changes what a connection test would do makes the last report stale. */
  const edit = (next: AccountDraft, staleTest: boolean) => {
    setDraft(next);
    setSaveError(null);
    if (staleTest) {
      testSeq.current++;
      setTest({ state: 'idle' });
    }
  };

  async function findSettings(explicit: boolean) {
    const current = draftRef.current;
    const email = current.email.trim();
    if (!splitAddress(email)) {
      if (explicit) {
        setGuess({ state: 'failed', email, message: t('options_guessNeedsEmail') });
        focusField('email');
      }
      return;
    }
    if (!explicit && (current.serverEdited || (guess.state !== 'idle' && guess.email === email))) return;
    const seq = ++guessSeq.current;
    setGuess({ state: 'running', email });
    let candidates: GuessCandidate[];
    let fallbackReason: string | undefined;
    try {
      candidates = (await send('guessSettings', { email })).candidates;
    } catch (err) {
      // Without the background (or its relay) nothing can be probed, but a known provider's
      // published settings are still right: offer those rather than nothing.
      candidates = candidatesFor(email)
        .filter((c) => c.source === 'table')
        .map((c) => ({ ...c, source: 'table' as const }));
      if (candidates.length === 0) {
        if (seq === guessSeq.current) setGuess({ state: 'failed', email, message: errorText(err) });
        return;
      }
      fallbackReason = errorText(err);
    }
    if (seq !== guessSeq.current) return;
    const latest = draftRef.current;
    const apply =
      candidates.length > 0 && (explicit || !latest.serverEdited) && latest.email.trim() === email;
    if (apply) edit(applyCandidate(latest, candidates[0]!), true);
    setGuess({
      state: 'done',
      email,
      candidates,
      picked: apply ? 0 : null,
      ...(fallbackReason !== undefined ? { fallbackReason } : {}),
    });
  }

  function pickCandidate(candidate: GuessCandidate, index: number) {
    edit(applyCandidate(draftRef.current, candidate), true);
    if (guess.state === 'done') setGuess({ ...guess, picked: index });
  }

  async function runTest(subject: AccountDraft) {
    setAttempted((a) => a ?? 'test');
    const found = validateDraft(subject, 'test');
    const first = firstInvalid(found);
    if (first) return focusField(first);
    const seq = ++testSeq.current;
    setTest({ state: 'running' });
    try {
      const report = await send('testConnection', {
        account: draftToAccount(subject),
        password: passwordToSend(subject),
      });
      if (seq !== testSeq.current) return;
      setTest({ state: 'done', report });
      if (report.folders) setFolders(report.folders);
    } catch (err) {
      if (seq === testSeq.current) setTest({ state: 'error', message: errorText(err) });
    }
  }

  function trust(fingerprint: string) {
    const next = { ...draftRef.current, pin: fingerprint };
    setDraft(next);
    void runTest(next);
  }

  async function save(event: Event) {
    event.preventDefault();
    setAttempted('save');
    const found = validateDraft(draft, 'save');
    const first = firstInvalid(found);
    if (first) {
      setSaveError(t('options_fixFields'));
      return focusField(first);
    }
    setSaving(true);
    setSaveError(null);
    try {
      const saved = draftToAccount(draft);
      await send('saveAccount', { account: saved, password: passwordToSend(draft) });
      onSaved(saved);
    } catch (err) {
      setSaveError(t('options_saveFailed', errorText(err)));
      setSaving(false);
    }
  }

  const change = (patch: Partial<AccountDraft>) => edit({ ...draftRef.current, ...patch }, false);
  const title = draft.isNew
    ? t('options_newAccount')
    : t('options_editAccount', account?.name || account?.email || '');

  return (
    <form class="editor" onSubmit={save} noValidate aria-labelledby="editor-heading">
      <h2 id="editor-heading" tabIndex={-1} ref={headingRef}>
        {title}
      </h2>
      <SignInFields
        draft={draft}
        errors={errors}
        guess={guess}
        onEmail={(email) => edit(withEmail(draftRef.current, email), false)}
        onEmailCommit={() => void findSettings(false)}
        onPassword={(password) => edit({ ...draftRef.current, password }, true)}
        onFind={() => void findSettings(true)}
        onUseCandidate={pickCandidate}
      />
      <ServerFields
        draft={draft}
        errors={errors}
        onServer={(patch: ServerPatch) => edit(withServerChange(draftRef.current, patch), true)}
        onUsername={(username) => edit({ ...draftRef.current, username, usernameEdited: true }, true)}
        onForgetPin={() => edit({ ...draftRef.current, pin: undefined }, true)}
      />
      <ConnectionTest test={test} onRun={() => void runTest(draftRef.current)} onTrust={trust} />
      <DisplayFields draft={draft} errors={errors} onChange={change} />
      <CheckingFields draft={draft} errors={errors} onChange={change} />
      {draft.protocol === 'imap' ? (
        <ImapFields draft={draft} errors={errors} available={folders} onChange={change} />
      ) : (
        <Pop3Fields draft={draft} errors={errors} onChange={change} />
      )}
      <div class="actions editor-actions">
        <button type="submit" class="primary" disabled={saving}>
          {t('options_save')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('options_cancel')}
        </button>
        {saveError ? (
          <p class="inline-error" role="alert">
            {saveError}
          </p>
        ) : null}
      </div>
    </form>
  );
}
