// The dashboard: one fleet-wide live feed filling the store, and a view per route
// (#/fleet, #/session/<id>, #/runs, #/runs/<id>, #/usage).

import * as fleet from './fleet.js';
import * as runs from './runs.js';
import * as session from './session.js';
import * as store from './store.js';
import { Stream } from './stream.js';
import * as synthetic from './synthetic.js';
import * as usage from './usage.js';

const view = document.getElementById('view');
const connection = document.getElementById('connection');
const STATES = { connecting: 'connecting', live: 'live', reconnecting: 'reconnecting…', offline: 'offline, retrying' };

const stream = new Stream({ synthetic: synthetic.value() }, store.apply, state => {
  connection.dataset.state = state;
  connection.querySelector('.label').textContent = STATES[state];
});

// showing or hiding synthetic sessions: a new snapshot from the feed, and the view read again
const toggle = document.getElementById('synthetic');
toggle.checked = synthetic.included();
toggle.addEventListener('change', () => {
  synthetic.set(toggle.checked);
  stream.setFilter({ synthetic: synthetic.value() });
  route();
});

let unmount = () => {};

function route() {
  const [, name = 'fleet', id] = location.hash.match(/^#\/([^/]*)\/?(.*)$/) || [];
  const param = id ? decodeURIComponent(id) : null;
  unmount();
  window.scrollTo(0, 0);
  document.querySelectorAll('.tabs a').forEach(a => a.classList.toggle('active', a.dataset.view === (name === 'session' ? 'fleet' : name)));
  switch (name) {
    case 'session': unmount = session.mount(view, param); break;
    case 'runs': unmount = runs.mount(view, param); break;
    case 'usage': unmount = usage.mount(view); break;
    default: unmount = fleet.mount(view);
  }
  document.title = 'contextwatch · ' + (param || name);
}

window.addEventListener('hashchange', route);
route();
