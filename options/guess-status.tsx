/** The line under the address saying which server settings were found and filled in. */
import { t } from '../extension/ui/i18n.ts';
import type { GuessCandidate, GuessState } from './guess-state.ts';
import { serverSummary } from './server-labels.ts';

interface Props {
  guess: GuessState;
  onUse: (candidate: GuessCandidate, index: number) => void;
}

export function GuessStatus({ guess, onUse }: Props) {
  if (guess.state === 'idle') return <div class="guess-status" role="status" />;
  if (guess.state === 'running')
    return (
      <div class="guess-status muted" role="status">
        {t('options_guessRunning')}
      </div>
    );
  if (guess.state === 'failed')
    return (
      <div class="guess-status error" role="status">
        {t('options_guessFailed', guess.message)}
      </div>
    );
  const { candidates, picked } = guess;
  if (candidates.length === 0)
    return (
      <div class="guess-status muted" role="status">
        {t('options_guessNone')}
      </div>
    );
  const shown = picked ?? 0;
  const candidate = candidates[shown]!;
  const source =
    guess.fallbackReason !== undefined
      ? t('options_guessFromBuiltIn', guess.fallbackReason)
      : candidate.source === 'table'
        ? t('options_guessFromTable')
        : t('options_guessFromProbe');
  const others = candidates.map((c, i) => ({ c, i })).filter(({ i }) => i !== picked);
  return (
    <div class="guess-status" role="status">
      <p>
        {picked === null ? t('options_guessFoundNotApplied') : t('options_guessPicked')}{' '}
        <strong>{serverSummary(candidate)}</strong> <span class="muted">({source})</span>
      </p>
      {others.length ? (
        <div class="guess-others">
          <span class="muted">{picked === null ? t('options_guessChoose') : t('options_guessOthers')}</span>
          {others.map(({ c, i }) => (
            <button
              type="button"
              class="link"
              key={`${c.protocol}|${c.host}|${c.port}|${c.security}`}
              onClick={() => onUse(c, i)}
            >
              {t('options_guessUse', serverSummary(c))}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
