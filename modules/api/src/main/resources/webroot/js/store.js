// Every session's current summary, kept by the fleet-wide live feed. Views subscribe to changes
// and redraw at most once per animation frame, whatever the rate of frames.

const sessions = new Map();
const listeners = new Set();
const frameListeners = new Set();
let dirty = new Set();
let replaced = false;
let scheduled = false;
let loaded = false;

export function all() {
  return sessions.values();
}

export function get(id) {
  return sessions.get(id);
}

export function isLoaded() {
  return loaded;
}

/** listener(changedIds, replacedAll) once per animation frame after changes; returns an unsubscribe function. */
export function onChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** listener(frame) for every live frame, e.g. to refresh a chart when usage grows. */
export function onFrame(listener) {
  frameListeners.add(listener);
  return () => frameListeners.delete(listener);
}

function changed(id) {
  dirty.add(id);
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(flush);
  }
}

function flush() {
  scheduled = false;
  const ids = dirty;
  const all = replaced;
  dirty = new Set();
  replaced = false;
  listeners.forEach(listener => listener(ids, all));
}

/** Applies one frame of the fleet-wide feed. */
export function apply(frame) {
  switch (frame.type) {
    case 'snapshot':
      sessions.clear();
      for (const s of frame.sessions) sessions.set(s.sessionId, s);
      loaded = true;
      replaced = true;
      changed(null);
      break;
    case 'session.updated': {
      const previous = sessions.get(frame.sessionId);
      // the processor's summary carries no level: the checkpoint verticle's last word stays
      sessions.set(frame.sessionId, { ...frame.data, level: previous?.level ?? 'ok' });
      changed(frame.sessionId);
      break;
    }
    case 'session.status':
    case 'context.level': {
      const s = sessions.get(frame.sessionId);
      if (s) {
        if (frame.type === 'session.status') s.status = frame.data.to;
        else s.level = frame.data.to;
        changed(frame.sessionId);
      }
      break;
    }
    default:
      break;
  }
  if (frame.sessionId) frameListeners.forEach(listener => listener(frame));
}

/** Least headroom first: fewest predicted requests to the threshold, then the fullest context. */
export function riskOrder(a, b) {
  const ra = a.context?.prediction?.requestsLeft ?? Infinity;
  const rb = b.context?.prediction?.requestsLeft ?? Infinity;
  if (ra !== rb) return ra - rb;
  const pa = a.context?.percentOfThreshold ?? -1;
  const pb = b.context?.percentOfThreshold ?? -1;
  if (pa !== pb) return pb - pa;
  return (b.lastReceivedAt || '').localeCompare(a.lastReceivedAt || '');
}
