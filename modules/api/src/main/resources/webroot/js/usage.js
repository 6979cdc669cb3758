// Usage view: tokens or cost over time by model or project, cumulative, an hour-of-day by weekday
// heatmap, and totals per group; from GET /api/v1/usage in the browser's time zone, re-read when new
// requests land. Buckets are sized to the data by default (bucket=auto): an hour of data shows
// minute by minute, whatever the range.

import * as charts from './charts.js';
import * as f from './format.js';
import * as quota from './quota.js';
import * as budgets from './budgets.js';
import * as store from './store.js';
import * as synthetic from './synthetic.js';
import { seg } from './widgets.js';

const RANGES = { '24h': 1, '7d': 7, '30d': 30, '90d': 90, '1y': 365 };
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const REFRESH_MS = 5000;
const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function mount(root) {
  const settings = { range: '7d', bucket: 'auto', group: 'model', metric: 'tokens' };
  let usage = null;
  let hourly = null;

  root.innerHTML = `
    <div class="toolbar">
      ${seg('range', Object.keys(RANGES), settings.range)}
      ${seg('bucket', ['auto', 'minute', 'hour', 'day', 'month'], settings.bucket)}
      ${seg('group', ['model', 'project'], settings.group)}
      ${seg('metric', ['tokens', 'cost'], settings.metric)}
      <span class="count" id="usage-note"></span>
    </div>
    <div id="quota-card"></div>
    <div id="budget-card"></div>
    <div id="usage-body"><div class="loading">Loading usage…</div></div>`;
  const body = root.querySelector('#usage-body');
  const loadQuota = quota.card(root.querySelector('#quota-card'));
  const loadBudgets = budgets.card(root.querySelector('#budget-card'));

  root.querySelector('.toolbar').addEventListener('click', event => {
    const button = event.target.closest('button');
    if (!button) return;
    const key = button.parentElement.dataset.key;
    settings[key] = button.dataset.value;
    root.querySelectorAll('.seg').forEach(s => s.querySelectorAll('button').forEach(b => b.classList.toggle('on', b.dataset.value === settings[s.dataset.key])));
    key === 'metric' ? render() : load();
  });

  function load() {
    const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
    const from = new Date(to - RANGES[settings.range] * DAY);
    const range = `from=${from.toISOString()}&to=${to.toISOString()}&tz=${encodeURIComponent(TZ)}`;
    // the heatmap's weekday hours are summed by the API over the whole range, a year as well as an hour
    Promise.all([fetch(synthetic.query(`/api/v1/usage?${range}&bucket=${settings.bucket}&group=${settings.group}`)),
      fetch(synthetic.query(`/api/v1/analytics/heatmap?${range}`))])
      .then(responses => Promise.all(responses.map(r => r.ok ? r.json() : r.json().then(e => Promise.reject(new Error(e.message))))))
      .then(([main, hours]) => { usage = main; hourly = hours; render(); })
      .catch(error => { body.innerHTML = `<div class="empty error">${f.esc(error.message)}</div>`; });
  }

  function value(item) {
    return settings.metric === 'cost' ? item.costUsd || 0 : f.allTokens(item);
  }

  function render() {
    if (!usage) return;
    const yFormat = settings.metric === 'cost' ? f.cost : f.tokens;
    const times = [...new Set(usage.items.map(i => Date.parse(i.time)))].sort((a, b) => a - b);
    const buckets = times.map(t => ({ start: t, end: charts.bucketEnd(t, usage.bucket) }));
    const keys = groupKeys(usage.items, value);
    const color = new Map(keys.map((k, i) => [k, charts.PALETTE[i % charts.PALETTE.length]]));
    const index = new Map(times.map((t, i) => [t, i]));
    const groups = keys.map(k => ({ name: label(k), color: color.get(k), values: new Array(times.length).fill(0) }));
    for (const item of usage.items) groups[keys.indexOf(item.key)].values[index.get(Date.parse(item.time))] += value(item);
    const width = Math.max(400, body.clientWidth - 34);

    // every line starts at 0 where the first bucket starts, so one bucket still draws a rise
    const start = buckets.length ? [[buckets[0].start, 0]] : [];
    const cumulative = groups.map(g => {
      let sum = 0;
      return { name: g.name, color: g.color, points: start.concat(g.values.map((v, i) => [buckets[i].end, sum += v])), dots: buckets.length < 40 };
    });
    let total = 0;
    const totalLine = { name: 'total', color: '#d7dee8', dots: buckets.length < 40,
      points: start.concat(buckets.map((b, i) => [b.end, total += groups.reduce((s, g) => s + g.values[i], 0)])) };

    body.innerHTML = `
      <div class="panel"><h2>${settings.metric} per ${usage.bucket}, by ${usage.group}</h2>
        <div class="chart" id="usage-bars">${charts.stackedBars({ width, height: 240, buckets, groups, yFormat })}</div>${charts.legend(groups)}</div>
      <div class="grid-2">
        <div class="panel"><h2>Cumulative ${settings.metric}</h2>
          <div class="chart" id="usage-cumulative">${charts.lineChart({ width: Math.max(300, width / 2 - 8), height: 220, series: [...cumulative, totalLine], yFormat })}</div>
          ${charts.legend([...groups, totalLine])}</div>
        <div class="panel"><h2>Activity by hour and weekday (${f.esc(TZ)}, last ${settings.range})</h2>
          <div id="usage-heatmap">${charts.heatmap(charts.weekdayHours(hourly.items, value), yFormat)}</div></div>
      </div>
      <div class="panel"><h2>Totals by ${usage.group}</h2>${totals(usage.items, keys, color)}</div>`;
    root.querySelector('#usage-note').textContent = note(buckets, usage);
  }

  // a committed request moves the numbers: re-read at most every few seconds while frames come
  const unsubscribe = store.reloadOnFrames(frame => frame.type === 'session.updated', () => {
    load();
    loadQuota();
    loadBudgets();
  }, REFRESH_MS);
  const resize = () => render();
  window.addEventListener('resize', resize);
  load();
  return () => {
    unsubscribe();
    window.removeEventListener('resize', resize);
  };
}

/** What the charts cover: the data's span in the range, per what bucket, and why. */
function note(buckets, usage) {
  const range = `${new Date(usage.from).toLocaleString()} – ${new Date(usage.to).toLocaleString()}`;
  if (!buckets.length) return `no requests from ${range}`;
  const span = buckets[buckets.length - 1].end - buckets[0].start;
  const spanText = span < 2 * HOUR ? Math.round(span / 60_000) + ' min' : span < 2 * DAY ? Math.round(span / HOUR) + ' h' : Math.round(span / DAY) + ' days';
  return `${spanText} with requests, per ${usage.bucket}${usage.auto ? ' (sized to the data)' : ''}, within ${range}`;
}

function label(key) {
  return key ?? '(none)';
}

/** Group keys, biggest first. */
function groupKeys(items, value) {
  const sums = new Map();
  for (const item of items) sums.set(item.key, (sums.get(item.key) || 0) + value(item));
  return [...sums.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
}


function totals(items, keys, color) {
  const sums = new Map(keys.map(k => [k, { requests: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: 0 }]));
  for (const item of items) {
    const s = sums.get(item.key);
    for (const field of Object.keys(s)) s[field] += item[field] || 0;
  }
  if (!keys.length) return '<div class="muted">no requests in this range</div>';
  return `<table><tr><th></th><th class="num">requests</th><th class="num">input</th><th class="num">output</th><th class="num">cache read</th>
    <th class="num">cache write</th><th class="num">cost</th></tr>
    ${keys.map(k => {
      const s = sums.get(k);
      return `<tr><td><i class="swatch" style="background:${color.get(k)}"></i>${f.esc(label(k))}</td><td class="num">${f.integer(s.requests)}</td>
        <td class="num">${f.tokens(s.inputTokens)}</td><td class="num">${f.tokens(s.outputTokens)}</td><td class="num">${f.tokens(s.cacheReadTokens)}</td>
        <td class="num">${f.tokens(s.cacheCreationTokens)}</td><td class="num">${f.cost(s.costUsd)}</td></tr>`;
    }).join('')}</table>`;
}
