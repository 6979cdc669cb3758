// Session view: context growth with compactions and checkpoints, usage by model, thread and subagent
// type, the subagent runs, how the session started (resumed or fresh), tools, recent events (with the command or file of each tool call when the client sent them) and
// webhook deliveries. The whole summary, its events and checkpoints come from a subscription to
// this one session (the fleet feed carries tiles only).

import * as burn from './burn.js';
import * as charts from './charts.js';
import * as f from './format.js';
import { onNextFrame } from './frame.js';
import { Stream } from './stream.js';
import * as w from './widgets.js';

/** Where the session's auto-compact threshold came from (the summary's context.thresholdSource), in words. */
const THRESHOLD_SOURCES = { configured: 'set in configuration', observed: 'seen at its last compaction', model: 'from the model table', formula: 'estimated from the window', project: "seen in its project's compactions" };

const EVENTS_SHOWN = 60;
const LEVEL_COLORS = { warning: 'var(--warning)', critical: 'var(--critical)', compacted: 'var(--compacted)' };

/** GET as JSON; null when the endpoint does not exist (yet) on this server. */
async function optional(url) {
  const response = await fetch(url);
  if (response.status === 404 || response.status === 405) return null;
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

export function mount(root, id) {
  root.innerHTML = `<div class="loading">Loading session ${f.esc(id)}…</div>`;
  const state = { id, series: [], events: [], checkpoints: null, deliveries: null, summary: null };
  let scheduled = false;
  const redraw = () => {
    if (!scheduled) {
      scheduled = true;
      onNextFrame(() => { scheduled = false; render(root, state); });
    }
  };

  const base = '/api/v1/sessions/' + encodeURIComponent(id);
  // frames that arrive before the first read finished are applied to it once it has
  const early = [];
  let loaded = false;
  Promise.all([
    fetch(base).then(r => r.ok ? r.json() : Promise.reject(new Error(r.status === 404 ? 'no session with this id' : `status ${r.status}`))),
    fetch(base + '/events?limit=' + EVENTS_SHOWN).then(r => r.json()),
    optional('/api/v1/checkpoints?session=' + encodeURIComponent(id)).catch(() => null),
    optional('/api/v1/webhooks/deliveries?session=' + encodeURIComponent(id)).catch(() => null),
    optional(base + '/agents').catch(() => null),
  ]).then(([detail, events, checkpoints, deliveries, agents]) => {
    state.agents = agents;
    state.series = detail.contextSeries || [];
    state.summary = detail;
    state.events = events.items;
    state.checkpoints = checkpoints?.items ?? null;
    state.deliveries = deliveries?.items ?? null;
    loaded = true;
    early.splice(0).forEach(apply);
    redraw();
  }).catch(error => {
    root.innerHTML = `<div class="crumbs"><a href="#/fleet">Fleet</a> /</div><div class="empty error">Cannot show session ${f.esc(id)}: ${f.esc(error.message)}</div>`;
  });

  function apply(frame) {
    switch (frame.type) {
      case 'session.updated':
        // its status is the one SessionStatus computed as the update was written; the level is the checkpoint verticle's
        state.summary = { ...state.summary, ...frame.data, level: state.summary.level };
        mergeSamples(state, frame.data.context?.samples || []);
        break;
      case 'snapshot':
        if (!frame.sessions.length) return;
        state.summary = { ...state.summary, ...frame.sessions[0] };
        break;
      case 'session.status':
        state.summary = { ...state.summary, status: frame.data.to };
        break;
      case 'context.level':
        state.summary = { ...state.summary, level: frame.data.to };
        break;
      case 'event':
        state.events.unshift({ ...frame.data, fresh: true });
        state.events.length = Math.min(state.events.length, EVENTS_SHOWN);
        break;
      case 'checkpoint.created':
        state.checkpoints?.unshift(frame.data);
        break;
      default:
        return;
    }
    redraw();
  }

  const stream = new Stream({ sessions: [id], types: ['session.updated', 'session.status', 'context.level', 'event', 'checkpoint.created'] },
    frame => loaded ? apply(frame) : early.push(frame));
  const stopBurn = burn.session(id, rates => { state.burn = rates; redraw(); });
  const ticker = setInterval(redraw, 30_000);
  const resize = () => redraw();
  window.addEventListener('resize', resize);
  return () => {
    stream.close();
    stopBurn();
    clearInterval(ticker);
    window.removeEventListener('resize', resize);
  };
}

/** The summary's recent samples extend the series loaded at start. */
function mergeSamples(state, samples) {
  const last = state.series.length ? Date.parse(state.series[state.series.length - 1].time) : -Infinity;
  for (const s of samples) {
    if (Date.parse(s.time) > last) state.series.push({ time: s.time, tokens: s.tokens, compacted: false });
  }
}

function render(root, state) {
  const s = state.summary;
  if (!s) return;
  const t = s.totals || {};
  const c = s.context || {};
  root.innerHTML = `
    <div class="crumbs"><a href="#/fleet">Fleet</a> / ${s.project ? f.esc(s.project) + ' / ' : ''}${s.runId ? `<a href="#/runs/${encodeURIComponent(s.runId)}">run ${f.esc(s.runId)}</a> / ` : ''}</div>
    <div class="session-head">${w.statusDot(s.status)}<h1>${f.esc(f.sessionName(s))}</h1>${w.overWindowBadge(c)}${w.levelBadge(s.level)}<span class="badge status-text">${f.esc(s.status)}</span></div>
    <div class="session-meta">
      <span>id <code>${f.esc(s.sessionId)}</code></span><span>model <code>${f.esc(w.model(s))}</code></span>
      ${s.clientVersion ? `<span data-flag="client">Claude Code <code>${f.esc(s.clientVersion)}</code></span>` : ''}${started(s)}
      ${s.parentSessionId ? `<span>parent <a href="#/session/${encodeURIComponent(s.parentSessionId)}"><code>${f.esc(f.shortId(s.parentSessionId))}</code></a></span>` : ''}
      <span>first seen ${f.clock(s.firstSeen)}</span><span>last activity ${f.ago(s.lastReceivedAt)}</span>
    </div>
    <div class="kpis">
      <div class="kpi"><div class="k">Context</div><div class="v">${f.tokens(c.tokens)}<small>${f.percent(c.percentOfThreshold)}</small></div></div>
      <div class="kpi"><div class="k">Requests to compact</div><div class="v">${requestsToCompact(s)}</div></div>
      <div class="kpi"><div class="k">Growth / request</div><div class="v">${f.tokens(c.growthPerRequest)}</div></div>
      <div class="kpi"><div class="k">Compactions</div><div class="v">${c.compactions ?? 0}</div></div>
      <div class="kpi"><div class="k">Tokens</div><div class="v">${f.tokens(f.allTokens(t))}</div></div>
      <div class="kpi"><div class="k">Cost</div><div class="v">${f.cost(t.costUsd)}</div></div>
      ${burn.kpi(state.burn)}
      <div class="kpi"><div class="k">Requests</div><div class="v">${f.integer(t.apiRequests)}<small>${t.apiErrors ? t.apiErrors + ' errors' : ''}</small></div></div>
      <div class="kpi"><div class="k">Lines</div><div class="v">+${f.integer(t.linesAdded)}<small>−${f.integer(t.linesRemoved)}</small></div></div>
    </div>
    ${w.overWindow(c) ? `<div class="note critical" data-flag="over-window"><b>Impossible context.</b> ${f.esc(w.overWindowText(c))}
      Check the model's window in config/models.json, or whether this session runs with a 1M window.</div>` : ''}
    <div class="panel"><h2>Context window</h2>${w.gauge(c, true)}${w.prediction(s)}
      <div class="chart" id="context-chart">${contextChart(root, state)}</div>
      ${charts.legend([{ name: 'context (main thread)', color: '#4aa3ff' }, { name: 'auto-compact threshold', color: 'var(--threshold)' },
        { name: 'compaction', color: 'var(--compacted)' }, { name: 'checkpoint', color: 'var(--warning)' }])}
    </div>
    ${s.lastPrompt ? `<div class="panel"><h2>Last prompt</h2><div class="prompt">${f.esc(s.lastPrompt)}</div></div>` : ''}
    <div class="grid-2">
      <div class="panel"><h2>By model</h2>${usageTable(s.byModel, 'model')}</div>
      <div class="panel"><h2>Main thread and subagents</h2>${usageTable(s.byThread, 'thread', w.thread)}${w.threadLegend()}</div>
    </div>
    ${s.subagents ? `<div class="grid-2">
      <div class="panel"><h2>By subagent type</h2>${usageTable(s.subagents.byType, 'subagent type')}</div>
      <div class="panel"><h2>Subagent runs</h2>${subagentRunsTable(s.subagents)}</div>
    </div>` : ''}
    ${state.agents?.spans ? `<div class="panel"><h2>Agents (from traces)</h2>${agentTree(state.agents)}</div>` : ''}
    <div class="grid-2">
      <div class="panel"><h2>Tools</h2>${toolsTable(s.tools)}</div>
      <div class="panel"><h2>Checkpoints</h2>${checkpointsTable(state.checkpoints)}</div>
    </div>
    <div class="panel"><h2>Recent events</h2>${toolDetailsNote(state.events)}${eventsTable(state.events)}</div>
    <div class="panel"><h2>Webhook deliveries</h2>${deliveriesTable(state.deliveries)}</div>`;
  state.events.forEach(e => { e.fresh = false; });
}

/** The prediction as a figure, only for a running session whose context fits its window. */
function requestsToCompact(s) {
  const c = s.context || {};
  if (s.status !== 'active') return `–<small>${f.esc(s.status)}</small>`;
  if (w.overWindow(c)) return '–<small>window wrong</small>';
  if (c.prediction?.requestsLeft == null) return '–';
  return `${c.prediction.requestsLeft.toFixed(1)}<small>${f.minutes(c.prediction.minutesLeft) ?? ''}</small>`;
}

function contextChart(root, state) {
  const c = state.summary.context || {};
  const width = Math.max(400, (root.clientWidth || 1200) - 34);
  const points = state.series.map(p => [Date.parse(p.time), p.tokens]);
  const markers = state.series.filter(p => p.compacted).map(p => ({ x: Date.parse(p.time), label: 'compacted', color: 'var(--compacted)', dash: true }));
  for (const checkpoint of state.checkpoints || []) {
    const at = state.series.find(p => p.tokens === checkpoint.contextTokens);
    markers.push({ x: at ? Date.parse(at.time) : Date.parse(checkpoint.time), label: checkpoint.level, color: LEVEL_COLORS[checkpoint.level] || 'var(--warning)' });
  }
  const source = THRESHOLD_SOURCES[c.thresholdSource];
  const lines = c.threshold ? [{ y: c.threshold, label: 'auto-compact ' + f.tokens(c.threshold) + (source ? ' · ' + source : ''), color: 'var(--threshold)' }] : [];
  return charts.lineChart({ width, height: 240, series: [{ name: 'context', color: '#4aa3ff', points, area: true, dots: points.length < 80 }], lines, markers });
}

function usageTable(usage, label, name = f.esc) {
  const rows = Object.entries(usage || {});
  if (!rows.length) return '<div class="muted">no requests yet</div>';
  const max = Math.max(...rows.map(([, u]) => f.allTokens(u)), 1);
  return `<table><tr><th>${label}</th><th class="num">requests</th><th class="num">input</th><th class="num">output</th><th class="num">cache read</th><th class="num">cache write</th><th class="num">cost</th></tr>
    ${rows.map(([key, u]) => `<tr><td>${name(key)}<div class="bar" style="width:${(100 * f.allTokens(u) / max).toFixed(1)}%"></div></td>
      <td class="num">${f.integer(u.apiRequests)}</td><td class="num">${f.tokens(u.inputTokens)}</td><td class="num">${f.tokens(u.outputTokens)}</td>
      <td class="num">${f.tokens(u.cacheReadTokens)}</td><td class="num">${f.tokens(u.cacheCreationTokens)}</td><td class="num">${f.cost(u.costUsd)}</td></tr>`).join('')}</table>`;
}

/** How the client said the session started (session.count's start_type): a resumed conversation is marked. */
function started(s) {
  if (!s.startTypes?.length) return '';
  return `<span data-flag="started">started ${f.esc(s.startTypes.join(', '))}${s.resumed ? ' <span class="badge">resumed</span>' : ''}</span>`;
}

/** The runs the client reported finished (subagent_completed), the latest last. */
function subagentRunsTable(subagents) {
  const runs = subagents.runs || [];
  if (!runs.length) return '<div class="muted">no subagent reported finished yet</div>';
  const older = subagents.runCount - runs.length;
  return `<table><tr><th>finished</th><th>type</th><th>agent</th><th>model</th><th class="num">tokens</th><th class="num">tool uses</th><th class="num">duration</th></tr>
    ${runs.map(r => `<tr><td class="faint">${f.clock(r.time)}</td><td><span class="pill">${f.esc(r.agentType)}</span></td><td><code>${f.esc(r.agentId ?? '–')}</code></td>
      <td>${f.esc(r.model ?? '–')}</td><td class="num">${f.tokens(r.totalTokens)}</td><td class="num">${f.integer(r.totalToolUses)}</td>
      <td class="num">${r.durationMs == null ? '–' : (r.durationMs / 1000).toFixed(1) + ' s'}</td></tr>`).join('')}</table>
    ${older > 0 ? `<div class="muted">and ${f.integer(older)} earlier runs</div>` : ''}`;
}

/** The agents the session's trace shows (as of the view's load): the main agent, each subagent indented under its spawner. */
function agentTree(agents) {
  const rows = [];
  const walk = (node, depth) => {
    rows.push(`<tr data-agent="${f.esc(node.agentId ?? 'main')}"><td style="padding-left:${8 + depth * 18}px">${depth ? '└ ' : ''}<span class="pill">${f.esc(node.agentType ?? 'unnamed')}</span>
      ${node.agentId ? ` <code>${f.esc(node.agentId)}</code>` : ''}</td><td class="num">${f.integer(node.requests)}</td>
      <td class="num">${f.tokens(node.inputTokens + node.cacheReadTokens + node.cacheCreationTokens)}</td><td class="num">${f.tokens(node.outputTokens)}</td>
      <td class="num">${f.integer(node.toolCalls)}</td></tr>`);
    node.agents.forEach(child => walk(child, depth + 1));
  };
  walk(agents.main, 0);
  return `<table><tr><th>agent</th><th class="num">requests</th><th class="num">tokens in</th><th class="num">out</th><th class="num">tool calls</th></tr>${rows.join('')}</table>
    ${agents.truncated ? `<div class="muted">built from the first ${f.integer(agents.spans)} spans only</div>` : ''}`;
}

function toolsTable(tools) {
  const rows = Object.entries(tools || {}).sort((a, b) => b[1].calls - a[1].calls);
  if (!rows.length) return '<div class="muted">no tool calls</div>';
  return `<table><tr><th>tool</th><th class="num">calls</th><th class="num">ok</th><th class="num">failed</th></tr>
    ${rows.map(([name, t]) => `<tr><td><span class="pill">${f.esc(name)}</span></td><td class="num">${t.calls}</td><td class="num">${t.successes}</td>
      <td class="num"${t.failures ? ' style="color:var(--critical)"' : ''}>${t.failures}</td></tr>`).join('')}</table>`;
}

function checkpointsTable(checkpoints) {
  if (checkpoints == null) return '<div class="muted">checkpoints are not available on this server</div>';
  if (!checkpoints.length) return '<div class="muted">no checkpoint yet: one is written when the context reaches warning, critical, or compacts</div>';
  return `<table><tr><th>time</th><th>level</th><th class="num">context</th><th class="num">of threshold</th><th class="num">requests left</th></tr>
    ${checkpoints.map(c => `<tr><td>${f.clock(c.time)}</td><td>${w.levelBadge(c.level)}</td><td class="num">${f.tokens(c.contextTokens)}</td>
      <td class="num">${f.percent(c.percentOfThreshold)}</td><td class="num">${c.requestsLeft == null ? '–' : c.requestsLeft.toFixed(1)}</td></tr>`).join('')}</table>`;
}

function eventsTable(events) {
  if (!events.length) return '<div class="muted">no events</div>';
  return `<table><tr><th>time</th><th>event</th><th>thread</th><th>model</th><th class="num">tokens in / out</th><th class="num">cost</th>
    <th class="num">duration</th><th>detail</th></tr>
    ${events.map(e => {
      const a = e.attributes || {};
      const tokensIn = (e.inputTokens || 0) + (e.cacheReadTokens || 0) + (e.cacheCreationTokens || 0);
      return `<tr${e.fresh ? ' class="new"' : ''}><td class="faint">${f.clock(e.time)}</td><td>${f.esc(e.name)}</td><td>${w.thread(a.query_source)}</td>
        <td>${f.esc(e.model || '')}</td>
        <td class="num">${e.name === 'api_request' ? `${f.tokens(tokensIn)} / ${f.tokens(e.outputTokens)}` : ''}</td>
        <td class="num">${e.costUsd != null ? f.cost(e.costUsd) : ''}</td><td class="num">${e.durationMs != null ? (e.durationMs / 1000).toFixed(1) + 's' : ''}</td>
        <td class="ellipsis">${detail(e.name, a)}</td></tr>`;
    }).join('')}</table>`;
}

/** Where the client's content (prompt, tool input) went, when it is not shown. */
const HIDDEN = {
  server: 'hidden by this server: it keeps only the length and a SHA-256 of content unless storeContent is on (CONTEXTWATCH_STORE_CONTENT=true)',
  prompt: 'not sent by the client: set OTEL_LOG_USER_PROMPTS=1 in its environment (and storeContent on this server to keep the text)',
};

function hidden(why, length) {
  return `<span class="faint" title="${f.esc(HIDDEN[why])}">${length != null ? `${f.integer(length)} chars, ` : ''}${why === 'server' ? 'hidden (storeContent off)' : 'not sent (OTEL_LOG_USER_PROMPTS off)'}</span>`;
}

/** What an event worked on: the tool's command or file, the prompt, the error. */
function detail(name, a) {
  if (a.tool_name) {
    const failed = a.success === false || a.success === 'false' ? ' <span style="color:var(--critical)">failed</span>' : '';
    return `<span class="pill">${f.esc(a.tool_name)}</span> ${toolTarget(a)}${failed}`;
  }
  if (a.prompt != null) {
    if (a.prompt.redacted) return hidden('server', a.prompt.length);
    return a.prompt === '<REDACTED>' ? hidden('prompt') : f.esc(a.prompt);
  }
  return a.error ? f.esc(a.error) : '';
}

/** The command, file, pattern or address of a tool call, from tool_input or tool_parameters (OTEL_LOG_TOOL_DETAILS=1). */
function toolTarget(a) {
  const content = [a.tool_input, a.tool_parameters].filter(v => v != null);
  const redacted = content.find(v => v.redacted);
  for (const value of content) {
    const fields = parsed(value);
    const target = fields && ['full_command', 'command', 'file_path', 'notebook_path', 'pattern', 'path', 'url', 'query', 'skill_name', 'mcp_tool_name', 'description']
      .map(k => fields[k]).find(v => typeof v === 'string' && v);
    if (target) return `<code class="target" title="${f.esc(target)}">${f.esc(target)}</code>`;
  }
  return redacted ? hidden('server', redacted.length) : '';
}

function parsed(value) {
  if (typeof value === 'object') return value.redacted ? null : value;
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
}

/** One line above the events when no tool call carries its command or file, saying how to get them. */
function toolDetailsNote(events) {
  const tools = events.filter(e => e.attributes?.tool_name);
  if (!tools.length || tools.some(e => e.attributes.tool_input != null || e.attributes.tool_parameters != null)) return '';
  return `<div class="muted" style="margin-bottom:8px">Tool calls show no command or file: the client sends them with
    <code>OTEL_LOG_TOOL_DETAILS=1</code> in its environment, and this server keeps them with <code>storeContent</code> on.</div>`;
}

function deliveriesTable(deliveries) {
  if (deliveries == null) return '<div class="muted">webhook deliveries are not available on this server</div>';
  if (!deliveries.length) return '<div class="muted">no webhook was sent about this session</div>';
  return `<table><tr><th>created</th><th>endpoint</th><th>event</th><th>status</th><th class="num">attempts</th><th>last answer</th></tr>
    ${deliveries.map(d => `<tr><td class="faint">${f.clock(d.createdAt)}</td><td>${f.esc(d.endpoint)}</td><td>${f.esc(d.event)}</td>
      <td><span class="pill ${f.esc(d.status)}">${f.esc(d.status)}</span></td><td class="num">${d.attempts}</td>
      <td class="ellipsis">${d.lastStatusCode ? 'HTTP ' + d.lastStatusCode : ''} ${f.esc(d.lastError || '')}</td></tr>`).join('')}</table>`;
}
