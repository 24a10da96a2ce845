import { render } from 'preact';

function Options() {
  return <main>Biff settings</main>;
}

render(<Options />, document.getElementById('app')!);
