/** Entry of options.html. */
import { render } from 'preact';
import { OptionsPage } from './options-page.tsx';
import './options.css';

render(<OptionsPage />, document.getElementById('app')!);
