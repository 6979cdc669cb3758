// The dashboard: the fleet's tiles read once (GET /api/v1/fleet), kept current by one fleet-wide
// live feed resumed from where that read left off, and a view per route (#/fleet,
// #/session/<id>, #/runs, #/runs/<id>, #/usage, #/analytics). The connection badge says "live" only once
// sessions are drawn and the feed answered: never beside an empty page.

import * as fleet from './fleet.js';
import * as runs from './runs.js';
import * as session from './session.js';
import * as store from './store.js';
import { Stream } from './stream.js';
import * as synthetic from './synthetic.js';
import * as usage from './usage.js';
import * as analytics from './analytics.js';

const view = document.getElementById('view');
const connection = document.getElementById('connection');
const LABELS = { loading: 'loading sessions…', connecting: 'connecting', live: 'live', reconnecting: 'reconnecting…', offline: 'offline, retrying' };
let feed = 'connecting';
let drawn = false;

function showConnection() {
  const state = drawn ? feed : 'loading';
  connection.dataset.state = state;
  connection.querySelector('.label').textContent = LABELS[state];
}

/** The first snapshot, from whichever source, counts once the views have drawn it. */
function snapshotShown() {
  store.whenRendered(() => {
    if (!drawn) performance.mark('contextwatch:first-render');
    drawn = true;
    showConnection();
  });
}

/**
 * The tiles over HTTP; the feed then resumes from their position. Without them, the feed's own
 * snapshot. Synthetic sessions are among them as the toggle says.
 */
async function firstSnapshot() {
  try {
    const response = await fetch(synthetic.query('/api/v1/fleet'));
    if (!response.ok) return null;
    const snapshot = await response.json();
    store.load(snapshot);
    snapshotShown();
    return snapshot.position;
  } catch {
    return null;
  }
}

const filter = () => ({ synthetic: synthetic.value() });
let stream = null;

showConnection();
const shownAtFirst = synthetic.value();
firstSnapshot().then(position => {
  // the toggle changed while the tiles were read: they are not the feed's to resume from
  const resumable = shownAtFirst === synthetic.value() ? position : null;
  stream = new Stream(filter(), frame => {
    store.apply(frame);
    if (frame.type === 'snapshot') snapshotShown();
  }, state => {
    feed = state;
    showConnection();
  }, { summary: 'tile', position: resumable });
});

// showing or hiding synthetic sessions: a new snapshot from the feed, and the view read again
const toggle = document.getElementById('synthetic');
toggle.checked = synthetic.included();
toggle.addEventListener('change', () => {
  synthetic.set(toggle.checked);
  if (stream) stream.setFilter(filter());
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
    case 'analytics': unmount = analytics.mount(view); break;
    default: unmount = fleet.mount(view);
  }
  document.title = 'contextwatch · ' + (param || name);
}

window.addEventListener('hashchange', route);
route();
