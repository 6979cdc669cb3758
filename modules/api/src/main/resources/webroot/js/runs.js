// Runs view: the list of runs, and one run's fan-out as a tree of sessions by parent. The tree's
// shape comes from the API; each node shows the live summary from the fleet feed.

import * as f from './format.js';
import * as store from './store.js';
import * as synthetic from './synthetic.js';
import * as w from './widgets.js';

/** A frame about a run's sessions re-reads the run at most this often. */
const REFRESH_MS = 3000;

export function mount(root, runId) {
  let data = null;
  let timer = null;
  const load = () => fetch(synthetic.query(runId ? '/api/v1/runs/' + encodeURIComponent(runId) : '/api/v1/runs'))
    .then(r => r.ok ? r.json() : Promise.reject(new Error(r.status === 404 ? 'no session belongs to this run' : `status ${r.status}`)))
    .then(json => { data = json; render(); })
    .catch(error => { root.innerHTML = `<div class="empty error">${f.esc(error.message)}</div>`; });

  function render() {
    if (!data) return;
    root.innerHTML = runId ? tree(runId, data) : list(data.items);
  }

  // new sessions join runs and totals move: re-read, at most every few seconds, when a frame says so
  const unsubscribe = store.onFrame(frame => {
    if (frame.type === 'session.updated' && frame.runId && (!runId || frame.runId === runId) && !timer) {
      timer = setTimeout(() => { timer = null; load(); }, REFRESH_MS);
    }
  });
  const unsubscribeChanges = store.onChange(() => { if (runId) render(); });
  root.innerHTML = '<div class="loading">Loading runs…</div>';
  load();
  return () => {
    clearTimeout(timer);
    unsubscribe();
    unsubscribeChanges();
  };
}

function list(items) {
  if (!items.length) {
    return `<h1>Runs</h1><div class="empty" style="margin-top:14px">No run yet. Sessions join a run through the resource attribute
      <code>contextwatch.run_id</code> (and name their parent with <code>contextwatch.parent_session_id</code>).</div>`;
  }
  return `<div class="panel"><h2>Runs</h2><table><tr><th>run</th><th>project</th><th class="num">sessions</th><th class="num">tokens</th>
    <th class="num">cost</th><th>started</th><th>last activity</th></tr>
    ${items.map(r => `<tr><td><a href="#/runs/${encodeURIComponent(r.runId)}">${f.esc(r.runId)}</a></td><td>${f.esc(r.project || '–')}</td>
      <td class="num">${r.sessions}</td><td class="num">${f.tokens(f.allTokens(r))}</td><td class="num">${f.cost(r.costUsd)}</td>
      <td class="faint">${f.clock(r.firstSeen)}</td><td>${f.ago(r.lastReceivedAt)}</td></tr>`).join('')}</table></div>`;
}

function tree(runId, run) {
  const t = run.totals || {};
  return `<div class="crumbs"><a href="#/runs">Runs</a> /</div>
    <div class="session-head"><h1>run ${f.esc(runId)}</h1></div>
    <div class="kpis" style="margin-top:12px">
      <div class="kpi"><div class="k">Sessions</div><div class="v">${run.sessions}</div></div>
      <div class="kpi"><div class="k">Requests</div><div class="v">${f.integer(t.apiRequests)}</div></div>
      <div class="kpi"><div class="k">Tokens</div><div class="v">${f.tokens(f.allTokens(t))}</div></div>
      <div class="kpi"><div class="k">Cost</div><div class="v">${f.cost(t.costUsd)}</div></div>
    </div>
    <div class="panel"><h2>Fan-out</h2>${nodes(run.tree)}</div>`;
}

function nodes(list) {
  return `<ul class="tree">${list.map(node => {
    const s = store.get(node.sessionId) || node;
    const t = s.totals || {};
    return `<li><div class="node">
        <div class="who">${w.statusDot(s.status)}<a href="#/session/${encodeURIComponent(s.sessionId)}">${f.esc(f.sessionName(s))}</a>${w.levelBadge(s.level)}</div>
        <div>${w.gauge(s.context)}</div>
        <div class="num">${f.tokens(f.allTokens(t))} tok</div><div class="num">${f.cost(t.costUsd)}</div><div class="num faint">${f.ago(s.lastReceivedAt)}</div>
      </div>${node.children && node.children.length ? nodes(node.children) : ''}</li>`;
  }).join('')}</ul>`;
}
