// One subscription to the live feed (/v1/stream, see docs/websocket.md). It reconnects on its own
// and resumes from the last position it saw, so a short outage costs no snapshot. It says 'live'
// only once the server answered the subscription (snapshot or resumed), not when the socket opens.

const token = new URLSearchParams(location.search).get('token') || sessionStorage.getItem('contextwatch.token');
if (token) sessionStorage.setItem('contextwatch.token', token);

/** Server pings idle connections every 30 s by default: silence for longer means the link is dead. */
const SILENCE_MS = 75_000;
const MAX_BACKOFF_MS = 10_000;

export class Stream {
  /**
   * @param filter the subscription filter ({sessions, projects, runs, types})
   * @param onFrame called with every frame, in order
   * @param onState called with 'connecting' | 'live' | 'reconnecting' | 'offline'
   * @param options summary: 'full' (the default) or 'tile'; position: resume from there (a
   *   position read with GET /api/v1/fleet), else start with a snapshot
   */
  constructor(filter, onFrame, onState = () => {}, { summary = 'full', position = null } = {}) {
    this.filter = filter;
    this.onFrame = onFrame;
    this.onState = onState;
    this.summary = summary;
    this.position = position;
    this.attempt = 0;
    this.closed = false;
    this.connect();
  }

  connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const query = token ? '?token=' + encodeURIComponent(token) : '';
    this.onState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(`${scheme}://${location.host}/v1/stream${query}`);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.subscribe(this.position);
      this.heartbeat();
    };
    socket.onmessage = message => {
      this.heartbeat();
      const frame = JSON.parse(message.data);
      if (frame.position != null) this.position = frame.position;
      this.onFrame(frame, message.data.length);
      if (frame.type === 'snapshot' || frame.type === 'resumed') this.onState('live');
    };
    socket.onclose = event => {
      clearTimeout(this.silence);
      if (this.closed || socket !== this.socket) return;
      // 1013: the server is full; 4008: we read too slowly. Either way: back off, then resume.
      this.attempt++;
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.attempt - 1, 5)) * (0.75 + Math.random() / 2);
      this.onState(event.code === 1006 && this.attempt > 3 ? 'offline' : 'reconnecting');
      this.retry = setTimeout(() => this.connect(), delay);
    };
  }

  subscribe(resumeFrom) {
    const message = { op: 'subscribe', filter: this.filter, summary: this.summary };
    if (resumeFrom != null) message.resume_from = resumeFrom;
    this.socket.send(JSON.stringify(message));
  }

  /** A new filter: the server answers with a fresh snapshot. */
  setFilter(filter) {
    this.filter = filter;
    if (this.socket.readyState === WebSocket.OPEN) this.subscribe(null);
  }

  heartbeat() {
    clearTimeout(this.silence);
    this.silence = setTimeout(() => this.socket.close(), SILENCE_MS);
  }

  close() {
    this.closed = true;
    clearTimeout(this.retry);
    clearTimeout(this.silence);
    this.socket.close(1000);
  }
}
