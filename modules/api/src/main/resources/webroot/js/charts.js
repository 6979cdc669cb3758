// Hand-drawn SVG charts: a time-series line chart with markers, stacked bars, a scatter plot and a
// weekday-by-hour heatmap, and nothing else.

import * as f from './format.js';

export const PALETTE = ['#4aa3ff', '#3fb950', '#e3a21a', '#a371f7', '#f47067', '#39c5cf', '#d2a8ff', '#8ddb8c', '#f69d50', '#96d0ff'];

const PAD = { top: 14, right: 16, bottom: 26, left: 58 };

/** Round tick values covering [min, max]. */
function ticks(min, max, count) {
  if (max <= min) max = min + 1;
  const raw = (max - min) / count;
  const step = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 2.5, 5, 10].map(m => m * step).find(s => s >= raw);
  const out = [];
  for (let v = Math.ceil(min / nice) * nice; v <= max + nice * 1e-9; v += nice) out.push(v);
  return out;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [1, 5, 15, 30].map(s => s * SECOND).concat([1, 2, 5, 10, 15, 30].map(m => m * MINUTE),
  [1, 2, 3, 6, 12].map(h => h * HOUR), [1, 2, 7, 14, 30, 61, 91, 182].map(d => d * DAY));
const MONTH = 30 * DAY;

/** Time ticks on round local times (minutes, hours, midnights), at most {@code count} of them. */
function timeTicks(x0, x1, count) {
  const step = TIME_STEPS.find(s => (x1 - x0) / s <= count) || TIME_STEPS[TIME_STEPS.length - 1];
  if (step >= MONTH) return monthTicks(x0, x1, Math.round(step / MONTH));
  let first;
  if (step >= DAY) {
    const midnight = new Date(x0);
    midnight.setHours(0, 0, 0, 0);
    first = midnight.getTime();
    while (first < x0) first += DAY;
  } else {
    const offset = new Date(x0).getTimezoneOffset() * MINUTE;
    first = Math.ceil((x0 - offset) / step) * step + offset;
  }
  const out = [];
  for (let t = first; t <= x1; t += step) out.push(t);
  const label = t => {
    const d = new Date(t);
    if (step >= DAY) return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
    const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: step < MINUTE ? '2-digit' : undefined, hour12: false });
    return x1 - x0 > DAY ? d.toLocaleDateString(undefined, { weekday: 'short' }) + ' ' + time : time;
  };
  return { ticks: out, label };
}

/** Round numeric ticks for a value axis, labelled by {@code format}. */
function valueTicks(format) {
  return (x0, x1, count) => ({ ticks: ticks(x0, x1, count), label: format });
}

/** Ticks on the first of every {@code months}-th local month: months differ in length, so steps of days drift off them. */
function monthTicks(x0, x1, months) {
  const d = new Date(x0);
  d.setHours(0, 0, 0, 0);
  d.setDate(1);
  if (d.getTime() < x0) d.setMonth(d.getMonth() + 1);
  const out = [];
  for (; d.getTime() <= x1; d.setMonth(d.getMonth() + months)) out.push(d.getTime());
  return { ticks: out, label: t => new Date(t).toLocaleDateString(undefined, { month: 'short', year: 'numeric' }) };
}

function frame(width, height, x0, x1, y1, yFormat, xAxis = timeTicks) {
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const sx = x => PAD.left + (x1 === x0 ? w / 2 : (x - x0) / (x1 - x0) * w);
  const sy = y => PAD.top + h - y / y1 * h;
  const yTicks = ticks(0, y1, 4);
  const xTicks = xAxis(x0, x1, Math.max(2, Math.floor(w / (x1 - x0 > DAY ? 120 : 100))));
  let svg = `<g class="grid">${yTicks.map(v => `<line x1="${PAD.left}" x2="${PAD.left + w}" y1="${sy(v)}" y2="${sy(v)}"/>`).join('')}</g>`;
  svg += yTicks.map(v => `<text x="${PAD.left - 8}" y="${sy(v) + 4}" text-anchor="end">${yFormat(v)}</text>`).join('');
  svg += `<g class="axis"><line x1="${PAD.left}" x2="${PAD.left + w}" y1="${PAD.top + h}" y2="${PAD.top + h}"/></g>`;
  // a label near either edge is anchored to it, so that it is not cut off
  const anchor = x => x < PAD.left + 40 ? 'start' : x > PAD.left + w - 40 ? 'end' : 'middle';
  svg += xTicks.ticks.map(v => `<text x="${sx(v)}" y="${height - 8}" text-anchor="${anchor(sx(v))}">${xTicks.label(v)}</text>`).join('');
  return { svg, sx, sy, w, h };
}

/**
 * A line chart over time. series: [{name, color, points: [[timeMs, value]], area}]; lines: horizontal
 * reference lines [{y, label, color}]; markers: vertical marks [{x, label, color, dash}].
 */
export function lineChart({ width, height, series, lines = [], markers = [], yFormat = f.tokens, yMax }) {
  const xs = series.flatMap(s => s.points.map(p => p[0])).concat(markers.map(m => m.x));
  if (!xs.length) return `<svg viewBox="0 0 ${width} ${height}"><text x="${width / 2}" y="${height / 2}" text-anchor="middle">no data yet</text></svg>`;
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const top = yMax ?? Math.max(1, ...series.flatMap(s => s.points.map(p => p[1])), ...lines.map(l => l.y)) * 1.08;
  const { svg: base, sx, sy, w } = frame(width, height, x0, x1, top, yFormat);
  let svg = base;
  for (const line of lines) {
    svg += `<line x1="${PAD.left}" x2="${PAD.left + w}" y1="${sy(line.y)}" y2="${sy(line.y)}" stroke="${line.color}" stroke-dasharray="5 4" stroke-width="1.2"/>`
      + `<text x="${PAD.left + 4}" y="${sy(line.y) - 5}" style="fill:${line.color}">${f.esc(line.label)}</text>`;
  }
  for (const m of markers) {
    // a label near the right edge goes to the left of its line
    const right = sx(m.x) > PAD.left + w - 90;
    svg += `<line x1="${sx(m.x)}" x2="${sx(m.x)}" y1="${PAD.top}" y2="${sy(0)}" stroke="${m.color}" stroke-width="1.2"${m.dash ? ' stroke-dasharray="3 3"' : ''}/>`
      + `<text x="${sx(m.x) + (right ? -4 : 4)}" y="${PAD.top + 10}" text-anchor="${right ? 'end' : 'start'}" style="fill:${m.color}">${f.esc(m.label)}</text>`;
  }
  for (const s of series) {
    if (!s.points.length) continue;
    const path = s.points.map((p, i) => `${i ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join('');
    if (s.area) {
      svg += `<path d="${path}L${sx(s.points[s.points.length - 1][0]).toFixed(1)},${sy(0)}L${sx(s.points[0][0]).toFixed(1)},${sy(0)}Z" fill="${s.color}" opacity=".12"/>`;
    }
    svg += `<path d="${path}" fill="none" stroke="${s.color}" stroke-width="1.8" stroke-linejoin="round"/>`;
    if (s.dots) {
      svg += s.points.map(p => `<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="2.2" fill="${s.color}"/>`).join('');
    }
  }
  return `<svg viewBox="0 0 ${width} ${height}">${svg}</svg>`;
}

/** A few buckets are drawn as bars among empty slots, the latest at the right end: one bar never fills the chart. */
const MIN_SLOTS = 12;

/**
 * Stacked bars per time bucket. buckets: [{start, end}] in ms, a bucket's own span (months and days
 * differ in length); groups: [{name, color, values: [number per bucket]}]. The time axis runs from
 * the first bucket's start (or MIN_SLOTS buckets earlier) to the last one's end, so buckets without
 * data show as gaps.
 */
export function stackedBars({ width, height, buckets, groups, yFormat }) {
  if (!buckets.length) return `<svg viewBox="0 0 ${width} ${height}"><text x="${width / 2}" y="${height / 2}" text-anchor="middle">no requests in this range</text></svg>`;
  const totals = buckets.map((_, i) => groups.reduce((sum, g) => sum + g.values[i], 0));
  const x1 = buckets[buckets.length - 1].end;
  const x0 = Math.min(buckets[0].start, x1 - MIN_SLOTS * (buckets[0].end - buckets[0].start));
  const { svg: base, sx, sy } = frame(width, height, x0, x1, Math.max(...totals) * 1.08 || 1, yFormat);
  let svg = base;
  buckets.forEach((b, i) => {
    const x = sx(b.start);
    const barWidth = Math.max(1, sx(b.end) - x - Math.min(1.5, (sx(b.end) - x) * 0.15));
    let stacked = 0;
    for (const g of groups) {
      const v = g.values[i];
      if (!v) continue;
      const y = sy(stacked + v);
      svg += `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(sy(stacked) - y).toFixed(1)}" fill="${g.color}"><title>${f.esc(g.name)}: ${yFormat(v)}</title></rect>`;
      stacked += v;
    }
  });
  return `<svg viewBox="0 0 ${width} ${height}">${svg}</svg>`;
}

/** The end of the bucket starting at {@code start}: buckets are calendar minutes, hours, days and months in local time. */
export function bucketEnd(start, bucket) {
  const d = new Date(start);
  switch (bucket) {
    case 'minute': return start + MINUTE;
    case 'hour': return start + HOUR;
    case 'day': d.setDate(d.getDate() + 1); return d.getTime();
    default: d.setMonth(d.getMonth() + 1); return d.getTime();
  }
}

/**
 * A scatter plot of values (not times) on both axes, from 0. points: [{x, y, color, title, href}];
 * a point with an href is a link (a session's page), its title its tooltip.
 */
export function scatter({ width, height, points, xFormat, yFormat, empty = 'no data in this range' }) {
  if (!points.length) return `<svg viewBox="0 0 ${width} ${height}"><text x="${width / 2}" y="${height / 2}" text-anchor="middle">${f.esc(empty)}</text></svg>`;
  const x1 = Math.max(1, ...points.map(p => p.x)) * 1.04;
  const y1 = Math.max(1, ...points.map(p => p.y)) * 1.08;
  const { svg: base, sx, sy } = frame(width, height, 0, x1, y1, yFormat, valueTicks(xFormat));
  const dots = points.map(p => {
    const dot = `<circle class="point" cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="4" fill="${p.color}" fill-opacity=".75"`
      + ` stroke="${p.color}"><title>${f.esc(p.title)}</title></circle>`;
    return p.href ? `<a href="${f.esc(p.href)}">${dot}</a>` : dot;
  });
  return `<svg viewBox="0 0 ${width} ${height}">${base}${dots.join('')}</svg>`;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A weekday-by-hour grid: grid[0..6][0..23] (Monday first), each cell shaded by its share of the largest. */
export function heatmap(grid, format) {
  const max = Math.max(...grid.flat(), 0);
  let html = '<div class="heat"><span></span>' + Array.from({ length: 24 }, (_, h) => `<span class="h">${h % 3 === 0 ? h : ''}</span>`).join('');
  grid.forEach((row, day) => {
    html += `<span class="d">${WEEKDAYS[day]}</span>` + row.map((v, h) => {
      const alpha = max ? (v ? 0.15 + 0.85 * v / max : 0) : 0;
      return `<span class="c${v ? ' on' : ''}" style="${alpha ? `background:rgba(74,163,255,${alpha.toFixed(3)})` : ''}" title="${WEEKDAYS[day]} ${h}:00 · ${format(v)}"></span>`;
    }).join('');
  });
  return html + '</div>';
}

/** The API's heatmap cells (weekday 1 = Monday, hour, in the browser's time zone) as a 7 x 24 grid of {@code value}. */
export function weekdayHours(cells, value) {
  const grid = Array.from({ length: 7 }, () => new Array(24).fill(0));
  for (const cell of cells) grid[cell.weekday - 1][cell.hour] += value(cell);
  return grid;
}

export function legend(items) {
  return `<div class="legend">${items.map(i => `<span><i style="background:${i.color}"></i>${f.esc(i.name)}</span>`).join('')}</div>`;
}
