/**
 * The reader, loaded as its own chunk: it brings the HTML sanitiser (DOMPurify), which the list
 * does not need, so the first paint parses only the list's code. `preloadReader()` fetches it
 * once the list is on screen, so opening a message does not wait either.
 */
import { useEffect, useState } from 'preact/hooks';
import { t } from '../extension/ui/i18n.ts';
import type { ReaderViewProps } from './reader-view.tsx';

type ReaderModule = typeof import('./reader-view.tsx');

let loading: Promise<ReaderModule> | null = null;
let loaded: ReaderModule | null = null;

/** Starts loading the reader's code; idempotent. */
export function preloadReader(): Promise<ReaderModule> {
  loading ??= import('./reader-view.tsx').then((module) => {
    loaded = module;
    return module;
  });
  loading.catch(() => {
    // Let a later open try again.
    loading = null;
  });
  return loading;
}

export function LazyReaderView(props: ReaderViewProps) {
  const [module, setModule] = useState<ReaderModule | null>(loaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (module) return;
    let live = true;
    preloadReader().then(
      (m) => live && setModule(m),
      (error: unknown) => {
        console.error('loading the reader failed:', error);
        if (live) setFailed(true);
      },
    );
    return () => {
      live = false;
    };
  }, [module]);
  if (module) return <module.ReaderView {...props} />;
  return (
    <section class="reader">
      <p class="body-loading muted" role={failed ? 'alert' : 'status'}>
        {failed ? t('popup_body_failed', t('ui_error_unknown')) : t('popup_body_loading')}
      </p>
    </section>
  );
}
