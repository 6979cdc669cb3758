// Runs view: every run with its status, duration and totals; one run's fan-out as a tree of
// sessions by parent, each with when it ran within the run. The tree's shape, the run's status
// and totals come from the API; each node shows the live tile from the fleet feed.

import * as f from './format.js';
import * as store from './store.js';
import * as synthetic from './synthetic.js';
import * as w from './widgets.js';

/** A frame about a run's sessions re-reads the run at most this often. */
const REFRESH_MS = 3000;

export function mount(root, runId) {
  let data = null;
  const load = () => fetch(synthetic.query(runId ? '/api/v1/runs/' + encodeURIComponent(runId) : '/api/v1/runs'))
    .then(r => r.ok ? r.json() : Promise.reject(new Error(r.status === 404 ? 'no session belongs to this run' : `status ${r.status}`)))
    .then(json => { data = json; render(); })
    .catch(error => { root.innerHTML = `<div class="empty error">${f.esc(error.message)}</div>`; });

  function render() {
    if (!data) return;
    root.innerHTML = runId ? tree(runId, data) : list(data.items);
  }

  // new sessions join runs and totals move: re-read, at most every few seconds, when a frame says so
  const unsubscribe = store.reloadOnFrames(frame => frame.runId && (!runId || frame.runId === runId), load, REFRESH_MS);
  const unsubscribeChanges = store.onChange(() => { if (runId) render(); });
  root.innerHTML = '<div class="loading">Loading runs…</div>';
  load();
  return () => {
    unsubscribe();
    unsubscribeChanges();
  };
}

const RUN_STATUS = {
  running: 'a session of the run made a request in the last minutes',
  idle: 'no session is active, but one is idle and may go on',
  finished: 'every session is stale or closed',
};

function statusBadge(status) {
  return `<span class="badge run-${f.esc(status)}" title="${f.esc(RUN_STATUS[status] || '')}">${f.esc(status)}</span>`;
}

/** Sessions by status, the empty ones left out: "3 active · 1 idle". */
function statuses(s) {
  return ['active', 'idle', 'stale', 'closed'].filter(k => s?.[k]).map(k => `${s[k]} ${k}`).join(' · ');
}

/** A duration in its largest sensible unit. */
function list(items) {
  if (!items.length) {
    return `<h1>Runs</h1><div class="empty" style="margin-top:14px">No run yet. Sessions join a run through the resource attribute
      <code>contextwatch.run_id</code> (and name their parent with <code>contextwatch.parent_session_id</code>).</div>`;
  }
  return `<div class="panel"><h2>Runs</h2><table class="runs"><tr><th>run</th><th>status</th><th>project</th><th>sessions</th>
    <th class="num">requests</th><th class="num">tokens</th><th class="num">cost</th><th>started</th><th class="num">duration</th><th>last activity</th></tr>
    ${items.map(r => `<tr data-run="${f.esc(r.runId)}"><td><a href="#/runs/${encodeURIComponent(r.runId)}">${f.esc(r.runId)}</a></td>
      <td>${statusBadge(r.status)}</td><td>${f.esc(r.project || '–')}</td>
      <td><b>${r.sessions}</b> <span class="faint">${statuses(r.statuses)}</span></td>
      <td class="num">${f.integer(r.apiRequests)}</td><td class="num">${f.tokens(f.allTokens(r))}</td><td class="num">${f.cost(r.costUsd)}</td>
      <td class="faint">${f.clock(r.firstSeen)}</td><td class="num">${f.duration(r.durationSeconds)}</td><td>${f.ago(r.lastReceivedAt)}</td></tr>`).join('')}
    </table></div>`;
}

function tree(runId, run) {
  const t = run.totals || {};
  const span = { from: Date.parse(run.firstSeen), to: Date.parse(run.firstSeen) + (run.durationSeconds ?? 0) * 1000 };
  const nested = run.tree.some(node => node.children?.length);
  return `<div class="crumbs"><a href="#/runs">Runs</a> /</div>
    <div class="session-head"><h1>run ${f.esc(runId)}</h1>${statusBadge(run.status)}${run.project ? `<span class="muted">${f.esc(run.project)}</span>` : ''}</div>
    <div class="kpis" style="margin-top:12px">
      <div class="kpi"><div class="k">Duration</div><div class="v">${f.duration(run.durationSeconds)}<small>since ${f.clock(run.firstSeen)}</small></div></div>
      <div class="kpi"><div class="k">Sessions</div><div class="v">${run.sessions}<small>${statuses(run.statuses)}</small></div></div>
      <div class="kpi"><div class="k">Requests</div><div class="v">${f.integer(t.apiRequests)}</div></div>
      <div class="kpi"><div class="k">Tokens</div><div class="v">${f.tokens(f.allTokens(t))}</div></div>
      <div class="kpi"><div class="k">Cost</div><div class="v">${f.cost(t.costUsd)}</div></div>
    </div>
    <div class="panel"><h2>${nested ? 'Fan-out' : 'Sessions'}</h2>
      ${nested ? '' : `<div class="muted" style="margin-bottom:8px">No session of this run names its parent
        (<code>contextwatch.parent_session_id</code>), so they are listed side by side.</div>`}
      <div class="node head"><div>session</div><div>when, within the run</div><div>context</div><div class="num">requests</div>
        <div class="num">tokens</div><div class="num">cost</div><div class="num">last activity</div></div>
      ${nodes(run.tree, span)}</div>`;
}

/** The tree as rows, depth first, each indented by its depth so that the columns line up. */
function nodes(list, span) {
  const rows = [];
  const walk = (children, depth) => children.forEach(node => {
    rows.push(row(node, depth, span));
    walk(node.children || [], depth + 1);
  });
  walk(list, 0);
  return `<div class="tree">${rows.join('')}</div>`;
}

function row(node, depth, span) {
  const s = { ...node, ...(store.get(node.sessionId) || {}) };
  const t = s.totals || {};
  return `<div class="node" data-session="${f.esc(s.sessionId)}" data-depth="${depth}" style="--depth:${depth}">
      <div class="who">${depth ? '<span class="branch"></span>' : ''}${w.statusDot(s.status)}<a href="#/session/${encodeURIComponent(s.sessionId)}">${f.esc(f.sessionName(s))}</a>${w.levelBadge(s.level)}
        <span class="faint model">${f.esc(w.model(s))}</span></div>
      <div>${timeline(node, span)}</div>
      <div>${w.gauge(s.context)}</div>
      <div class="num">${f.integer(t.apiRequests)}</div><div class="num">${f.tokens(f.allTokens(t))}</div><div class="num">${f.cost(t.costUsd)}</div>
      <div class="num faint">${f.ago(s.lastReceivedAt)}</div>
    </div>`;
}

/** When the session ran, as a bar over the run's span. */
function timeline(node, span) {
  const from = Date.parse(node.firstSeen);
  const to = Date.parse(node.lastReceivedAt);
  const length = Math.max(1, span.to - span.from);
  const left = Math.max(0, Math.min(100, 100 * (from - span.from) / length));
  const width = Math.max(0.8, Math.min(100 - left, 100 * (to - from) / length));
  return `<div class="when" title="${f.esc(f.clock(node.firstSeen))} – ${f.esc(f.clock(node.lastReceivedAt))}">
    <div class="bar ${f.esc(node.status)}" style="left:${left.toFixed(2)}%;width:${width.toFixed(2)}%"></div></div>`;
}
