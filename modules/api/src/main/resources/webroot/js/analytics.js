// Analytics view: cumulative cost, cost per request and per prompt, the cache hit ratio over time and
// per model, each session's duration against its tokens, the weekday-by-hour heatmap, and the costliest
// sessions and projects; from GET /api/v1/analytics/{view} over one range in the browser's time zone.
// Every chart is sized to the data in the range: an hour of it comes in minutes, a year in months.

import * as charts from './charts.js';
import * as f from './format.js';
import * as store from './store.js';
import * as synthetic from './synthetic.js';
import { seg } from './widgets.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const RANGES = { '1h': HOUR, '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY, '90d': 90 * DAY, '1y': 365 * DAY };
const VIEWS = ['series', 'heatmap', 'sessions', 'projects', 'models'];
const TOP = 10;
const REFRESH_MS = 10_000;
const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function mount(root) {
  const settings = { range: '30d', group: 'project' };
  let data = null;

  root.innerHTML = `
    <div class="toolbar">
      ${seg('range', Object.keys(RANGES), settings.range)}
      ${seg('group', ['project', 'model'], settings.group)}
      <span class="count" id="analytics-note"></span>
    </div>
    <div id="analytics-body"><div class="loading">Loading analytics…</div></div>`;
  const body = root.querySelector('#analytics-body');

  root.querySelector('.toolbar').addEventListener('click', event => {
    const button = event.target.closest('button');
    if (!button) return;
    settings[button.parentElement.dataset.key] = button.dataset.value;
    root.querySelectorAll('.seg').forEach(s => s.querySelectorAll('button').forEach(b => b.classList.toggle('on', b.dataset.value === settings[s.dataset.key])));
    load();
  });

  function load() {
    const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
    const from = new Date(to - RANGES[settings.range]);
    const query = `from=${from.toISOString()}&to=${to.toISOString()}&tz=${encodeURIComponent(TZ)}&group=${settings.group}`;
    Promise.all(VIEWS.map(view => fetch(synthetic.query(`/api/v1/analytics/${view}?${query}`))
      .then(r => r.ok ? r.json() : r.json().then(e => Promise.reject(new Error(e.message))))))
      .then(answers => { data = Object.fromEntries(VIEWS.map((view, i) => [view, answers[i]])); render(); })
      .catch(error => { body.innerHTML = `<div class="empty error">${f.esc(error.message)}</div>`; });
  }

  function render() {
    if (!data) return;
    const width = Math.max(400, body.clientWidth - 34);
    const half = Math.max(300, width / 2 - 8);
    const series = data.series.items;
    const keys = [...new Set(data.projects.items.map(p => p.key).concat(data.models.items.map(m => m.key), series.map(i => i.key)))];
    const color = new Map(keys.map((k, i) => [k, charts.PALETTE[i % charts.PALETTE.length]]));
    const groups = [...new Set(series.map(i => i.key))].map(k => ({ key: k, name: label(k), color: color.get(k) }));
    const sessions = data.sessions.items;
    const groupOf = s => settings.group === 'project' ? s.project : s.model;
    const sessionGroups = [...new Set(sessions.map(groupOf))].map(k => ({ name: label(k), color: color.get(k) }));

    body.innerHTML = `
      <div class="grid-2">
        <div class="panel"><h2>Cumulative cost</h2>
          <div class="chart" id="analytics-cumulative">${costChart(half, 220, cumulative(series, groups))}</div>
          ${charts.legend(groups.concat([{ name: 'total', color: '#d7dee8' }]))}</div>
        <div class="panel"><h2>Duration vs tokens per session (${count(sessions.length, 'session')})</h2>
          <div class="chart" id="analytics-scatter">${charts.scatter({ width: half, height: 220, xFormat: duration, yFormat: f.tokens,
            empty: 'no sessions in this range', points: sessions.map(s => ({ x: s.durationSeconds / 60, y: s.totalTokens,
              color: color.get(groupOf(s)), href: '#/session/' + encodeURIComponent(s.sessionId),
              title: `${s.label || f.shortId(s.sessionId)} · ${label(groupOf(s))} · ${duration(s.durationSeconds / 60)} · ${f.tokens(s.totalTokens)} tokens · ${f.cost(s.costUsd)}` })) })}</div>
          ${charts.legend(sessionGroups)}</div>
      </div>
      <div class="grid-2">
        <div class="panel"><h2>Cost per request</h2>
          <div class="chart" id="analytics-per-request">${costChart(half, 200, ratioLines(series, groups, 'costPerRequest'))}</div></div>
        <div class="panel"><h2>Cost per prompt</h2>
          <div class="chart" id="analytics-per-prompt">${costChart(half, 200, ratioLines(series, groups, 'costPerPrompt'))}</div></div>
      </div>
      <div class="grid-2">
        <div class="panel"><h2>Cache hit ratio (cache read / all input)</h2>
          <div class="chart" id="analytics-cache">${charts.lineChart({ width: half, height: 200, series: ratioLines(series, groups, 'cacheHitRatio'),
            yFormat: ratioPercent, yMax: 1 })}</div>${charts.legend(groups)}</div>
        <div class="panel"><h2>Per model</h2>${table('analytics-models', data.models.items, 'model', m => label(m.key), color)}</div>
      </div>
      <div class="grid-2">
        <div class="panel"><h2>Top sessions by cost</h2>${table('analytics-top-sessions', sessions.slice(0, TOP), 'session', sessionLink, color, groupOf)}</div>
        <div class="panel"><h2>Top projects by cost</h2>${table('analytics-top-projects', data.projects.items.slice(0, TOP), 'project', p => f.esc(label(p.key)), color)}</div>
      </div>
      <div class="panel"><h2>Cost by hour and weekday (${f.esc(TZ)}, last ${settings.range})</h2>
        <div id="analytics-heatmap">${charts.heatmap(charts.weekdayHours(data.heatmap.items, c => c.costUsd || 0), f.cost)}</div></div>`;
    root.querySelector('#analytics-note').textContent = note(series, sessions);
  }

  const unsubscribe = store.reloadOnFrames(frame => frame.type === 'session.updated', load, REFRESH_MS);
  const resize = () => render();
  window.addEventListener('resize', resize);
  load();
  return () => {
    unsubscribe();
    window.removeEventListener('resize', resize);
  };
}

/** Each group's cost summed bucket by bucket, and the total: from 0 at the first bucket's start to each bucket's end. */
function cumulative(series, groups) {
  const times = [...new Set(series.map(i => Date.parse(i.time)))].sort((a, b) => a - b);
  if (!times.length) return [];
  const bucket = series[0].bucket;
  const dots = times.length < 40;
  const lines = groups.map(g => {
    let sum = 0;
    const costs = new Map(series.filter(i => i.key === g.key).map(i => [Date.parse(i.time), i.costUsd || 0]));
    return { name: g.name, color: g.color, dots, points: [[times[0], 0]].concat(times.map(t => [charts.bucketEnd(t, bucket), sum += costs.get(t) || 0])) };
  });
  let total = 0;
  const perTime = new Map();
  for (const i of series) perTime.set(Date.parse(i.time), (perTime.get(Date.parse(i.time)) || 0) + (i.costUsd || 0));
  return lines.concat([{ name: 'total', color: '#d7dee8', dots, points: [[times[0], 0]].concat(times.map(t => [charts.bucketEnd(t, bucket), total += perTime.get(t)])) }]);
}

/** A line chart of dollars, its axis up to the largest (cents would lie flat under the charts' default of 1). */
function costChart(width, height, series) {
  const top = Math.max(0, ...series.flatMap(s => s.points.map(p => p[1])));
  return charts.lineChart({ width, height, series, yFormat: costTick, yMax: top ? top * 1.08 : undefined });
}

/** An axis' dollars to three significant digits below $1 (ticks of $0.025 are not $0.03). */
function costTick(usd) {
  return usd > 0 && usd < 1 ? '$' + parseFloat(usd.toPrecision(3)) : f.cost(usd);
}

/** A line per group through its buckets' {@code field} (cost per request, per prompt, cache hit ratio), where it had requests. */
function ratioLines(series, groups, field) {
  return groups.map(g => {
    const points = series.filter(i => i.key === g.key && i[field] != null).map(i => [Date.parse(i.time), i[field]]);
    return { name: g.name, color: g.color, points, dots: points.length < 40 };
  });
}

/** Rows of a group's cost, requests, prompts, cost per request and per prompt, cache hit ratio. */
function table(id, items, what, name, color, groupOf = i => i.key) {
  if (!items.length) return `<div class="muted" id="${id}">no requests in this range</div>`;
  return `<table id="${id}"><tr><th>${what}</th><th class="num">cost</th><th class="num">requests</th><th class="num">prompts</th>
    <th class="num">$/request</th><th class="num">$/prompt</th><th class="num">tokens</th><th class="num">cache hit</th></tr>
    ${items.map(i => `<tr${i.sessionId ? ` data-session="${f.esc(i.sessionId)}"` : ` data-key="${f.esc(label(i.key))}"`}>
      <td><i class="swatch" style="background:${color.get(groupOf(i)) || '#666'}"></i>${name(i)}</td>
      <td class="num">${f.cost(i.costUsd)}</td><td class="num">${f.integer(i.requests)}</td><td class="num">${f.integer(i.prompts)}</td>
      <td class="num">${f.cost(i.costPerRequest)}</td><td class="num">${f.cost(i.costPerPrompt)}</td><td class="num">${f.tokens(i.totalTokens)}</td>
      <td class="num">${ratioPercent(i.cacheHitRatio)}</td></tr>`).join('')}</table>`;
}

function sessionLink(s) {
  return `<a href="#/session/${encodeURIComponent(s.sessionId)}">${f.esc(s.label || f.shortId(s.sessionId))}</a>`
    + (s.project ? ` <span class="muted">${f.esc(s.project)}</span>` : '');
}

/** What the charts cover: sessions, cost and the series' bucket size. */
function note(series, sessions) {
  if (!series.length) return 'no requests in this range';
  const cost = series.reduce((sum, i) => sum + (i.costUsd || 0), 0);
  return `${count(sessions.length, 'session')}, ${f.cost(cost)}, per ${series[0].bucket} (sized to the data)`;
}

function count(n, noun) {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Minutes on the scatter's axis (so its ticks fall on whole minutes), seconds below one, a bare 0 at its start. */
function duration(minutes) {
  return minutes === 0 ? '0' : minutes < 1 ? f.duration(minutes * 60) : f.minutes(minutes);
}

function ratioPercent(r) {
  return r == null ? '–' : f.percent(r * 100);
}

function label(key) {
  return key ?? '(none)';
}
