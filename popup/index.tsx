import { render } from 'preact';

function Popup() {
  return <main>Biff</main>;
}

render(<Popup />, document.getElementById('app')!);
