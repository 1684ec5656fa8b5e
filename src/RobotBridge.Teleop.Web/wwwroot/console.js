// RobotBridge web operator console. Speaks the teleop MQTT protocol (RobotBridge.Teleop.Protocol) over
// WebSocket to the robot's own broker, exactly as the terminal console does:
//  - every operator message carries seq (per topic, strictly increasing) and t_ms (this page's
//    monotonic clock); motion also carries ttl_ms and the dead-man flag, and a Message Expiry Interval;
//  - heartbeats go every period (50 ms) while connected; motion only while the dead-man is held;
//  - nothing is ever retained, and nothing is ever queued for later: a publish while disconnected is
//    refused here, and a lost connection is replaced by a brand-new client (no resend of old packets).
// What the account may do is decided by the broker's access rules, never by this page.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  const CHANNEL = {
    heartbeat: 'heartbeat', gripperTwist: 'cmd/gripper_twist', baseTwist: 'cmd/base_twist',
    head: 'cmd/head', gripper: 'cmd/gripper', reset: 'estop/reset',
  };
  // Keyboard equivalents of the jog buttons (the terminal console's keys).
  const KEYS = {
    KeyW: 'gx+', KeyS: 'gx-', KeyA: 'gy+', KeyD: 'gy-', KeyQ: 'gz+', KeyE: 'gz-',
    KeyI: 'bx+', KeyK: 'bx-', KeyJ: 'bz+', KeyL: 'bz-',
    ArrowLeft: 'hp+', ArrowRight: 'hp-', ArrowDown: 'ht+', ArrowUp: 'ht-',
  };
  const HEAD_PAN = 'head_pan_joint';
  const HEAD_TILT = 'head_tilt_joint';
  // Fetch head limits (rad): the page clamps its target, the robot clamps again.
  const PAN_LIMIT = [-1.57, 1.57];
  const TILT_LIMIT = [-0.76, 1.45];
  const PLOT_SECONDS = 10;

  let config = null;
  let link = null;          // the current connection: { client, user, role, base, seq }
  let wanted = null;        // { user, password } while logged in (reconnects use a new client)
  let reconnectTimer = 0;
  let tickTimer = 0;
  let head = null;          // { pan, tilt } target, starting from where the head is
  let lastCameraUrl = null;
  const deadmanPointers = new Set();
  let deadmanKey = false;
  const jogPointers = new Map();   // pointerId -> jog name
  const jogKeys = new Set();       // jog names held on the keyboard
  const history = [];              // joint telemetry samples for the plot

  // t_ms: a monotonic millisecond clock that does not restart with a reload (the robot's age
  // estimator compares it with its own clock; a restart would look like a very late message).
  const nowMs = () => Math.round(performance.timeOrigin + performance.now());

  // ---------- connection ----------

  async function start() {
    config = await (await fetch('config.json', { cache: 'no-store' })).json();
    $('robot-id').textContent = `robot '${config.robot}'`;
    $('login').addEventListener('submit', (e) => {
      e.preventDefault();
      wanted = { user: $('user').value.trim(), password: $('password').value };
      $('login-error').textContent = '';
      connect();
    });
    wireControls();
    setRole(null);
    requestAnimationFrame(drawPlot);
  }

  function connect() {
    clearTimeout(reconnectTimer);
    if (!wanted) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const seqStart = Date.now() * 1000; // a reloaded page is newer than its last run, as the console's
    const client = mqtt.connect(`${scheme}://${location.host}${config.mqtt_path}`, {
      protocolVersion: 5,
      clientId: `web-${wanted.user}-${Math.random().toString(16).slice(2, 10)}`,
      username: wanted.user,
      password: wanted.password,
      clean: true,
      keepalive: 2,
      connectTimeout: 3000,
      reconnectPeriod: 0,   // never resend on the same client; see onClose
      queueQoSZero: false,  // nothing waits in an offline queue
      resubscribe: false,
      properties: { sessionExpiryInterval: 0 },
    });
    const me = {
      client, user: wanted.user, role: null, base: `robotbridge/${config.robot}`,
      seq: Object.fromEntries(Object.values(CHANNEL).map((c) => [c, seqStart])), tripSeq: seqStart, up: false,
    };
    link = me;
    client.on('connect', () => onConnect(me));
    client.on('message', (topic, payload, packet) => onMessage(me, topic, payload, packet));
    client.on('error', (err) => {
      if (link !== me) return;
      const refused = err && (err.code === 134 || err.code === 135 || err.code === 4 || err.code === 5);
      if (refused) {
        // Wrong account or password: do not retry with it.
        $('login-error').textContent = `login refused: ${err.message}`;
        wanted = null;
      }
      status(`connection error: ${err.message}`);
    });
    client.on('close', () => onClose(me));
    status(`connecting as '${me.user}' …`);
  }

  function onConnect(me) {
    if (link !== me) return;
    me.up = true;
    $('login-panel').hidden = true;
    $('main').hidden = false;
    $('stop').dataset.connected = 'true';
    $('who').textContent = `${me.user}`;
    me.client.subscribe({ [`${me.base}/state/#`]: { qos: 1 }, [`${me.base}/telemetry/#`]: { qos: 0 } }, (err) => {
      if (err) status(`subscribe refused: ${err.message}`);
    });
    // The page learns the account's role from the broker itself: the first heartbeat (dead-man not
    // held, so it can move nothing) goes at QoS 1, and the broker's PUBACK says whether this account
    // may publish under op/<name>/. Every later heartbeat is QoS 0 as the protocol says.
    publish(me, CHANNEL.heartbeat, { seq: next(me, CHANNEL.heartbeat), t_ms: nowMs(), deadman: false },
      { qos: 1, properties: jsonProps(1) }, (err) => {
        if (link !== me) return;
        setRole(err ? 'observer' : 'operator');
        if (err) status(`observer: '${me.user}' may watch and STOP; the broker refuses its commands (${err.message})`);
        else status(`operator '${me.user}': hold the dead-man to drive`);
      });
    clearInterval(tickTimer);
    tickTimer = setInterval(tick, config.period_ms);
  }

  function onClose(me) {
    if (link !== me) return;
    me.up = false;
    releaseAll('connection lost');
    clearInterval(tickTimer);
    lastTick = 0;
    worstGapSince = 0;
    worstGap = 0;
    $('stop').dataset.connected = 'false';
    setLinkPill(null);
    me.client.end(true);
    link = null;
    if (wanted) {
      status('connection lost: the robot stops on its own (heartbeat); reconnecting …');
      reconnectTimer = setTimeout(connect, 1000);
    } else {
      $('login-panel').hidden = false;
    }
  }

  function next(me, channel) { me.seq[channel] += 1; return me.seq[channel]; }

  function jsonProps(expirySeconds) {
    const p = { contentType: 'application/json', payloadFormatIndicator: true };
    if (expirySeconds > 0) p.messageExpiryInterval = expirySeconds;
    return p;
  }

  /** Publishes now or not at all: nothing is queued while the connection is down. */
  function publish(me, channel, body, options, callback) {
    if (!me || !me.up || !me.client.connected) {
      if (callback) callback(new Error('not connected'));
      return false;
    }
    const topic = channel === 'trip' ? `${me.base}/estop/trip` : `${me.base}/op/${me.user}/${channel}`;
    me.client.publish(topic, JSON.stringify(body), { ...options, retain: false }, callback);
    return true;
  }

  // ---------- the period: heartbeat, then motion ----------

  function deadmanHeld() {
    return (deadmanPointers.size > 0 || deadmanKey) && document.visibilityState === 'visible' && !!link && link.up;
  }

  function activeJogs() {
    const names = new Set(jogKeys);
    for (const name of jogPointers.values()) names.add(name);
    return names;
  }

  function axis(jogs, prefix) {
    return (jogs.has(prefix + '+') ? 1 : 0) - (jogs.has(prefix + '-') ? 1 : 0);
  }

  let lastTick = 0;
  let worstGap = 0;
  let worstGapSince = 0;

  /** How late this thread's timer runs: a gap near the robot's heartbeat bound means a stop is close. */
  function noteGap(t) {
    if (lastTick && t - lastTick > worstGap) worstGap = t - lastTick;
    lastTick = t;
    if (!worstGapSince) worstGapSince = t;
    if (t - worstGapSince >= 10000) {
      $('beat').textContent = `every ${config.period_ms} ms, worst gap ${worstGap} ms in 10 s (robot stops past ${config.heartbeat_timeout_ms} ms)`;
      worstGap = 0;
      worstGapSince = t;
    }
  }

  function tick() {
    const me = link;
    // Observers send nothing; an operator's heartbeats start once the broker confirmed the role.
    if (!me || !me.up || me.role !== 'operator') return;
    noteGap(nowMs());
    const held = deadmanHeld();
    $('deadman').dataset.held = String(held);
    const jogs = activeJogs();
    $('drive').textContent = held ? `dead-man held${jogs.size ? `, jog ${[...jogs].join(' ')}` : ''}` : `dead-man released${jogs.size ? ` (jog ${[...jogs].join(' ')} ignored)` : ''}`;
    const t = nowMs();
    publish(me, CHANNEL.heartbeat, { seq: next(me, CHANNEL.heartbeat), t_ms: t, deadman: held },
      { qos: 0, properties: jsonProps(1) });
    if (!held) return;
    const ttl = config.ttl_ms;
    const motion = { qos: 0, properties: jsonProps(Math.max(1, Math.ceil(ttl / 1000))) };
    const [x, y, z] = [axis(jogs, 'gx'), axis(jogs, 'gy'), axis(jogs, 'gz')];
    if (x || y || z) {
      const v = config.linear_speed;
      publish(me, CHANNEL.gripperTwist, {
        seq: next(me, CHANNEL.gripperTwist), t_ms: t, ttl_ms: ttl, deadman: true,
        linear: [x * v, y * v, z * v], angular: [0, 0, 0],
      }, motion);
    }
    const [fwd, turn] = [axis(jogs, 'bx'), axis(jogs, 'bz')];
    if (fwd || turn) {
      publish(me, CHANNEL.baseTwist, {
        seq: next(me, CHANNEL.baseTwist), t_ms: t, ttl_ms: ttl, deadman: true,
        linear_x: fwd * config.base_speed, angular_z: turn * config.base_turn_rate,
      }, motion);
    }
    const [pan, tilt] = [axis(jogs, 'hp'), axis(jogs, 'ht')];
    if ((pan || tilt) && head) {
      head.pan = clamp(head.pan + pan * config.head_step, PAN_LIMIT);
      head.tilt = clamp(head.tilt + tilt * config.head_step, TILT_LIMIT);
      publish(me, CHANNEL.head, {
        seq: next(me, CHANNEL.head), t_ms: t, ttl_ms: ttl, deadman: true,
        pan: head.pan, tilt: head.tilt, duration_ms: 300,
      }, motion);
    }
  }

  /** Dead-man and jogs let go at once, and the robot is told at once (not at the next period). */
  function releaseAll(why) {
    const wasHeld = deadmanPointers.size > 0 || deadmanKey;
    deadmanPointers.clear();
    deadmanKey = false;
    jogPointers.clear();
    jogKeys.clear();
    markJogs();
    $('deadman').dataset.held = 'false';
    if (wasHeld && link && link.up && link.role === 'operator') {
      publish(link, CHANNEL.heartbeat, { seq: next(link, CHANNEL.heartbeat), t_ms: nowMs(), deadman: false },
        { qos: 0, properties: jsonProps(1) });
      status(`dead-man released (${why})`);
    }
  }

  // ---------- controls ----------

  let lastEStop = null;
  let stopPending = null; // { at, eventSeq }: a STOP press waiting for the robot's confirmation

  function trip(how) {
    const me = link;
    const at = performance.now();
    const sent = publish(me, 'trip', { seq: me ? ++me.tripSeq : 0, by: me ? me.user : '', reason: `web console STOP (${how})` },
      { qos: 1 }, (err) => { if (err) status(`STOP NOT DELIVERED: ${err.message}`); });
    status(sent ? 'STOP sent' : 'STOP cannot be sent: not connected to the robot');
    if (!sent) return;
    if (lastEStop && lastEStop.stopped) {
      confirmStop('robot already stopped', null);
    } else {
      stopPending = { at, eventSeq: lastEStop ? lastEStop.event_seq : -1 };
      $('stop-confirm').textContent = 'STOP sent…';
    }
  }

  /** Shows that the robot reported the stop, and how long after the press (press → state/estop back here). */
  function confirmStop(text, ms) {
    const el = $('stop-confirm');
    el.textContent = text;
    el.dataset.ms = ms === null ? '' : ms.toFixed(3);
  }

  function wireControls() {
    const stop = $('stop');
    // pointerdown, not click: the stop goes at the first touch, not when the finger lifts.
    stop.addEventListener('pointerdown', (e) => { e.preventDefault(); trip('button'); });
    stop.addEventListener('click', (e) => { if (e.detail === 0) trip('keyboard'); });

    $('reset').addEventListener('click', () => {
      const me = link;
      const sent = publish(me, CHANNEL.reset, { seq: me ? next(me, CHANNEL.reset) : 0, t_ms: nowMs() },
        { qos: 1, properties: jsonProps(1) }, (err) => {
          if (err) status(`RESET refused by the broker: ${err.message}${me && me.role === 'observer' ? ` ('${me.user}' is an observer)` : ''}`);
          else status('RESET sent: the robot releases the latch if no stop source is active');
        });
      if (!sent) status('RESET cannot be sent: not connected');
    });

    const deadman = $('deadman');
    deadman.addEventListener('pointerdown', (e) => {
      deadman.setPointerCapture(e.pointerId);
      deadmanPointers.add(e.pointerId);
      deadman.dataset.held = String(deadmanHeld());
    });
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
      deadman.addEventListener(type, (e) => {
        if (deadmanPointers.delete(e.pointerId) && deadmanPointers.size === 0 && !deadmanKey) releaseAll('let go');
      });
    }

    for (const button of document.querySelectorAll('button.j')) {
      button.addEventListener('pointerdown', (e) => {
        button.setPointerCapture(e.pointerId);
        jogPointers.set(e.pointerId, button.dataset.jog);
        markJogs();
      });
      for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
        button.addEventListener(type, (e) => { jogPointers.delete(e.pointerId); markJogs(); });
      }
    }
    for (const button of document.querySelectorAll('button.o')) {
      button.addEventListener('click', () => sendGripper(button.dataset.once === 'open' ? 0.1 : 0.0));
    }

    document.addEventListener('keydown', (e) => {
      if (e.target instanceof HTMLInputElement) return;
      if (e.code === 'Space') { e.preventDefault(); if (!e.repeat) trip('space bar'); return; }
      if (e.key === 'Shift') { deadmanKey = true; return; }
      if (KEYS[e.code]) { e.preventDefault(); jogKeys.add(KEYS[e.code]); markJogs(); return; }
      if (!e.repeat && e.code === 'KeyO') sendGripper(0.1);
      if (!e.repeat && e.code === 'KeyC') sendGripper(0.0);
    });
    document.addEventListener('keyup', (e) => {
      if (e.key === 'Shift') {
        deadmanKey = false;
        if (deadmanPointers.size === 0) releaseAll('Shift let go');
      }
      if (KEYS[e.code]) { jogKeys.delete(KEYS[e.code]); markJogs(); }
    });
    // A hidden tab is an operator who is not looking: stop now, before the browser throttles timers.
    document.addEventListener('visibilitychange', () => { if (document.visibilityState !== 'visible') releaseAll('tab hidden'); });
    window.addEventListener('blur', () => releaseAll('window lost focus'));
    window.addEventListener('pagehide', () => { releaseAll('page closed'); if (link) link.client.end(true); });
  }

  function sendGripper(separation) {
    const me = link;
    if (!me || me.role !== 'operator') return;
    if (!deadmanHeld()) { status('gripper: hold the dead-man first'); return; }
    const ttl = config.ttl_ms;
    publish(me, CHANNEL.gripper, {
      seq: next(me, CHANNEL.gripper), t_ms: nowMs(), ttl_ms: ttl, deadman: true, separation, max_effort: 60,
    }, { qos: 0, properties: jsonProps(Math.max(1, Math.ceil(ttl / 1000))) });
    status(separation > 0 ? 'gripper open' : 'gripper close');
  }

  function markJogs() {
    const jogs = activeJogs();
    for (const button of document.querySelectorAll('button.j')) button.dataset.active = String(jogs.has(button.dataset.jog));
  }

  function setRole(role) {
    if (link) link.role = role;
    $('role').textContent = role ?? '-';
    const operator = role === 'operator';
    for (const button of document.querySelectorAll('#control-panel button')) button.disabled = !operator;
    // RESET stays usable for everyone: the broker, not the page, refuses it for an observer.
    $('who').textContent = link ? `${link.user} (${role ?? '…'})` : 'not logged in';
  }

  // ---------- what the robot says ----------

  function onMessage(me, topic, payload, packet) {
    if (link !== me) return;
    const sub = topic.slice(me.base.length + 1);
    if (sub === 'telemetry/camera') { showCamera(payload, packet); return; }
    let body;
    try { body = JSON.parse(new TextDecoder().decode(payload)); } catch { return; }
    switch (sub) {
      case 'state/estop': showEStop(body); break;
      case 'state/link': setLinkPill(body); break;
      case 'state/events': showEvent(body); break;
      case 'telemetry/joints': onJoints(body); break;
      case 'telemetry/loop': showLoop(body); break;
    }
  }

  function showEStop(s) {
    lastEStop = s;
    if (stopPending && s.stopped && s.event_seq > stopPending.eventSeq) {
      const ms = performance.now() - stopPending.at;
      stopPending = null;
      confirmStop(`stop confirmed in ${ms.toFixed(0)} ms`, ms);
    }
    const pill = $('estop-state');
    pill.dataset.state = s.state;
    pill.textContent = s.stopped ? `E-STOP ${s.state.toUpperCase()}` : 'RUNNING';
    $('estop-detail').textContent = `${s.state}${s.stopped ? ' (robot stopped)' : ''}`;
    $('estop-cause').textContent = s.cause ? `${s.cause}${s.source ? ` [${s.source}]` : ''}` : '-';
    $('estop-sources').textContent = s.active_sources.length ? s.active_sources.join(', ') : 'none';
    $('estop-trips').textContent = String(s.trip_count);
  }

  function setLinkPill(l) {
    const pill = $('link');
    if (!l) { pill.dataset.online = 'false'; pill.textContent = 'broker DISCONNECTED'; $('robot-link').textContent = '-'; return; }
    pill.dataset.online = String(l.online);
    pill.textContent = l.online ? 'bridge online' : 'bridge OFFLINE';
    $('robot-link').textContent = l.robot ?? (l.online ? 'unknown' : 'bridge offline');
  }

  function showEvent(e) {
    const item = document.createElement('li');
    item.textContent = `${new Date(e.time_utc).toLocaleTimeString()} ${e.kind} ${e.source}: ${e.cause}`;
    const list = $('events');
    list.prepend(item);
    while (list.children.length > 20) list.lastChild.remove();
    if (e.kind === 'ResetRefused') status(`RESET refused by the robot: ${e.cause}`);
  }

  function showLoop(l) {
    $('loop').textContent = `period ${l.period_ms.toFixed(1)} ms, last ${l.last_ms.toFixed(2)} ms, p99 ${l.p99_ms.toFixed(2)} ms, max ${l.max_ms.toFixed(2)} ms, overruns ${l.overruns} / ${l.cycles}`;
  }

  function showCamera(payload, packet) {
    const props = (packet.properties && packet.properties.userProperties) || {};
    const url = URL.createObjectURL(new Blob([payload], { type: 'image/jpeg' }));
    const img = $('camera');
    const previous = lastCameraUrl;
    lastCameraUrl = url;
    img.onload = () => { if (previous) URL.revokeObjectURL(previous); };
    img.src = url;
    $('camera-info').textContent = `${props.width ?? '?'}×${props.height ?? '?'} at t=${Number(props.stamp_s ?? 0).toFixed(2)} s`;
  }

  function onJoints(j) {
    if (!head) {
      const pan = j.names.indexOf(HEAD_PAN), tilt = j.names.indexOf(HEAD_TILT);
      if (pan >= 0 && tilt >= 0) head = { pan: j.position[pan], tilt: j.position[tilt] };
    }
    history.push({ t: j.stamp_s, names: j.names, position: j.position, velocity: j.velocity });
    plotDirty = true;
    while (history.length > 0 && history[history.length - 1].t - history[0].t > PLOT_SECONDS) history.shift();
    // A restarted robot clock starts the plot over.
    if (history.length > 1 && history[history.length - 1].t < history[history.length - 2].t) history.splice(0, history.length - 1);
  }

  // ---------- the plot ----------

  const COLORS = ['#e57373', '#81c784', '#64b5f6', '#ffd54f', '#ba68c8', '#4dd0e1', '#ff8a65', '#aed581',
    '#9575cd', '#f06292', '#4db6ac', '#fff176', '#90a4ae', '#a1887f'];
  let legendFor = '';

  let plotDirty = true;

  // Redrawn only when telemetry arrived (20 Hz), not every frame: the heartbeat timer shares this
  // thread, and a busy tablet must not delay it.
  function drawPlot() {
    requestAnimationFrame(drawPlot);
    if (!plotDirty) return;
    plotDirty = false;
    const canvas = $('plot');
    const ctx = canvas.getContext('2d');
    const w = canvas.width, h = canvas.height, half = h / 2;
    ctx.fillStyle = '#0f1114';
    ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = '#333';
    ctx.beginPath(); ctx.moveTo(0, half); ctx.lineTo(w, half); ctx.stroke();
    ctx.fillStyle = '#888';
    ctx.font = '11px sans-serif';
    ctx.fillText('position', 4, 12);
    ctx.fillText('velocity', 4, half + 12);
    if (history.length < 2) return;
    const names = history[history.length - 1].names;
    if (legendFor !== names.join()) {
      legendFor = names.join();
      $('legend').replaceChildren(...names.map((n, i) => {
        const s = document.createElement('span');
        s.textContent = n.replace(/_joint$/, '');
        s.style.setProperty('--c', COLORS[i % COLORS.length]);
        return s;
      }));
    }
    const t1 = history[history.length - 1].t, t0 = t1 - PLOT_SECONDS;
    pane(ctx, 'position', 0, half, t0, w, names);
    pane(ctx, 'velocity', half, half, t0, w, names);
  }

  function pane(ctx, field, top, height, t0, w, names) {
    let lo = Infinity, hi = -Infinity;
    for (const s of history) for (const v of s[field]) { if (v < lo) lo = v; if (v > hi) hi = v; }
    if (hi - lo < 1e-3) { hi += 0.5; lo -= 0.5; }
    const pad = (hi - lo) * 0.08;
    lo -= pad; hi += pad;
    const y = (v) => top + height - ((v - lo) / (hi - lo)) * height;
    ctx.fillStyle = '#666';
    ctx.fillText(hi.toFixed(2), w - 40, top + 12);
    ctx.fillText(lo.toFixed(2), w - 40, top + height - 4);
    for (let i = 0; i < names.length; i++) {
      ctx.strokeStyle = COLORS[i % COLORS.length];
      ctx.beginPath();
      history.forEach((s, k) => {
        const x = ((s.t - t0) / PLOT_SECONDS) * w;
        if (k === 0) ctx.moveTo(x, y(s[field][i])); else ctx.lineTo(x, y(s[field][i]));
      });
      ctx.stroke();
    }
  }

  // ---------- small things ----------

  function status(text) { $('status').textContent = text; }
  function clamp(v, [lo, hi]) { return Math.min(hi, Math.max(lo, v)); }

  $('main').hidden = true;
  start().catch((err) => { $('login-error').textContent = `console failed to start: ${err.message}`; });
})();
