/**
 * Popup entry. The cache is opened before anything renders, so the first page is read while
 * Preact starts; the background is asked only afterwards (app.tsx).
 */
import { render } from 'preact';
import { App } from './app.tsx';
import { Cache } from './cache.ts';

performance.mark('biff-script-start');
const cache = new Cache();
// Start opening now; a failure is reported by the first read.
cache.ready().catch(() => {});
render(<App cache={cache} />, document.getElementById('app')!);
