// The Planning view of the Usage Statistics page: this week (or month) against the one before,
// per model, from /api/planning; a sparkline of each model's daily tokens over the last 8 weeks
// and a chart of peak TPM per model per day, from /api/usage. In the browser's zone (or the
// page's ?zone=). Separate from usage.js: it only reads the page's URL and its own elements.
'use strict';

(function () {
  const { el } = window.usageCharts;
  const PALETTE = ['#7c3aed', '#0ea5e9', '#f59e0b', '#10b981', '#ef4444', '#6366f1', '#ec4899', '#84cc16'];
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const zone = params.get('zone') || browserZone();
  const state = { period: 'week', sort: 'rank', descending: false, plan: null, daily: null };
  const colors = new Map();

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    } catch (e) {
      return 'UTC';
    }
  }

  function colorOf(name) {
    if (!colors.has(name)) colors.set(name, PALETTE[colors.size % PALETTE.length]);
    return colors.get(name);
  }

  const number = (n) => (n === null || n === undefined ? 'unknown' : n.toLocaleString('en-US'));

  /** A peak with its accuracy: "≤ 1,234" for an upper bound, "unknown" when not known. */
  function peak(p, field) {
    if (p.accuracy === 'UNKNOWN' || p[field] === null) return 'unknown';
    return (p.accuracy === 'UPPER_BOUND' ? '≤ ' : '') + number(p[field]);
  }

  function change(ratio, status) {
    if (status === 'NEW') return { text: 'new', cls: 'up' };
    if (ratio === null) return { text: '–', cls: '' };
    const pct = (ratio * 100).toFixed(1) + '%';
    if (ratio > 0) return { text: '▲ +' + pct, cls: 'up' };
    if (ratio < 0) return { text: '▼ ' + pct, cls: 'down' };
    return { text: '= 0.0%', cls: '' };
  }

  async function getJson(url) {
    const res = await fetch(url, { cache: 'no-store', headers: { Accept: 'application/json' } });
    const body = await res.json();
    if (!res.ok) throw new Error(body.message || res.statusText);
    return body;
  }

  async function load() {
    const section = $('planning');
    section.dataset.loaded = 'false';
    const z = encodeURIComponent(zone);
    const [plan, daily, peaks] = await Promise.all([
      getJson(`/api/planning?zone=${z}&period=${state.period}`),
      getJson(`/api/usage?zone=${z}&days=56&granularity=day&groupBy=model`),
      getJson(`/api/usage?zone=${z}&days=56&granularity=day&groupBy=model&view=peak_tokens_per_minute`),
    ]);
    state.plan = plan;
    state.daily = daily;
    render();
    drawPeaks(peaks);
    section.dataset.zone = plan.zone;
    section.dataset.loaded = 'true';
  }

  function sortKey(row) {
    switch (state.sort) {
      case 'name': return row.name;
      case 'current': return row.current.tokens;
      case 'previous': return row.previous.tokens;
      case 'change': return row.tokensChange === null ? Infinity : row.tokensChange;
      case 'tpm': return row.current.peaks.tokensPerMinute ?? -1;
      case 'rpm': return row.current.peaks.callsPerMinute ?? -1;
      case 'share': return row.tokenShare;
      default: return row.rank === 0 ? Infinity : row.rank;
    }
  }

  function render() {
    const plan = state.plan;
    $('planning-period').textContent =
      `${plan.currentFirstDay} – ${plan.currentLastDay} against the ${state.period} before (from ${plan.previousFirstDay})`;
    $('planning-zone').textContent = plan.zone;
    $('planning-peak-tpm').textContent = peak(plan.current.peaks, 'tokensPerMinute');
    $('planning-peak-rpm').textContent = peak(plan.current.peaks, 'callsPerMinute');
    $('planning-tokens').textContent = number(plan.current.tokens) + ' / ' + number(plan.previous.tokens);
    const rows = [...plan.rows].sort((a, b) => {
      const ka = sortKey(a);
      const kb = sortKey(b);
      const c = ka < kb ? -1 : ka > kb ? 1 : 0;
      return state.descending ? -c : c;
    });
    const body = $('planning-table').tBodies[0];
    body.textContent = '';
    const dailyByModel = new Map((state.daily?.series || []).map((s) => [s.model, s.values]));
    for (const r of rows) {
      const tr = body.insertRow();
      tr.dataset.name = r.name;
      tr.dataset.status = r.status;
      if (r.status === 'GONE') tr.className = 'gone';
      tr.insertCell().textContent = r.rank === 0 ? '–' : String(r.rank);
      tr.insertCell().textContent = r.name + (r.status === 'GONE' ? ' (no usage now: scale down?)' : '');
      const now = tr.insertCell();
      now.textContent = number(r.current.tokens);
      now.dataset.value = r.current.tokens;
      const before = tr.insertCell();
      before.textContent = number(r.previous.tokens);
      before.dataset.value = r.previous.tokens;
      const ch = change(r.tokensChange, r.status);
      const chCell = tr.insertCell();
      chCell.textContent = ch.text;
      chCell.className = ch.cls;
      chCell.dataset.value = r.tokensChange === null ? '' : r.tokensChange;
      const tpm = tr.insertCell();
      tpm.textContent = peak(r.current.peaks, 'tokensPerMinute');
      tpm.dataset.value = r.current.peaks.tokensPerMinute ?? '';
      tpm.dataset.accuracy = r.current.peaks.accuracy;
      const rpm = tr.insertCell();
      rpm.textContent = peak(r.current.peaks, 'callsPerMinute');
      rpm.dataset.value = r.current.peaks.callsPerMinute ?? '';
      const share = tr.insertCell();
      share.textContent = (r.tokenShare * 100).toFixed(1) + '%';
      share.dataset.value = r.tokenShare;
      sparkline(tr.insertCell(), dailyByModel.get(r.name) || [], colorOf(r.name));
    }
    for (const th of $('planning-table').tHead.rows[0].cells) {
      th.classList.toggle('sorted', th.dataset.sort === state.sort);
    }
  }

  function sparkline(cell, values, color) {
    const w = 120;
    const h = 24;
    const svg = el('svg', { class: 'sparkline', width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img',
      'aria-label': 'daily tokens', 'data-points': values.length }, cell);
    const max = Math.max(1, ...values);
    const x = (i) => (values.length <= 1 ? w / 2 : (i * (w - 2)) / (values.length - 1) + 1);
    const y = (v) => h - 2 - (v / max) * (h - 4);
    el('polyline', { points: values.map((v, i) => x(i).toFixed(1) + ',' + y(v).toFixed(1)).join(' '), stroke: color }, svg);
  }

  function drawPeaks(r) {
    const box = $('peak-chart');
    box.textContent = '';
    const width = Math.max(box.clientWidth || 0, 480);
    const height = 240;
    const m = { top: 12, right: 16, bottom: 28, left: 72 };
    const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Peak TPM per model per day' }, box);
    const n = r.buckets.length;
    const started = Math.min(n, r.bucketsStarted ?? n);
    const known = r.series.flatMap((s) => s.values.slice(0, started).filter((v) => v !== null));
    const max = Math.max(1, ...known) * 1.1;
    const x = (i) => m.left + (n <= 1 ? 0 : (i * (width - m.left - m.right)) / (n - 1));
    const y = (v) => height - m.bottom - (v / max) * (height - m.top - m.bottom);
    for (let g = 0; g <= 4; g++) {
      const v = (max * g) / 4;
      el('line', { class: 'grid', x1: m.left, x2: width - m.right, y1: y(v), y2: y(v) }, svg);
      el('text', { class: 'axis-label', x: m.left - 8, y: y(v) + 4, 'text-anchor': 'end' }, svg).textContent =
        Math.round(v).toLocaleString('en-US') + ' TPM';
    }
    for (const s of r.series) {
      const pts = [];
      s.values.slice(0, started).forEach((v, i) => {
        if (v !== null) pts.push(x(i).toFixed(1) + ',' + y(v).toFixed(1));
      });
      const line = el('polyline', { class: 'line', points: pts.join(' '), stroke: colorOf(s.model || s.label),
        'data-series': s.label, 'data-max': s.sum }, svg);
      el('title', {}, line).textContent = s.label + ' · peak ' + s.sum.toLocaleString('en-US') + ' TPM';
    }
  }

  function wire() {
    for (const b of document.querySelectorAll('#planning .period-switch [data-period]')) {
      b.addEventListener('click', () => {
        state.period = b.dataset.period;
        for (const o of document.querySelectorAll('#planning .period-switch [data-period]')) {
          o.classList.toggle('active', o === b);
          o.setAttribute('aria-pressed', String(o === b));
        }
        load().catch(showError);
      });
    }
    for (const th of $('planning-table').tHead.rows[0].cells) {
      if (!th.dataset.sort) continue;
      th.addEventListener('click', () => {
        state.descending = state.sort === th.dataset.sort ? !state.descending : th.dataset.sort !== 'rank' && th.dataset.sort !== 'name';
        state.sort = th.dataset.sort;
        render();
      });
    }
    const refresh = $('refresh');
    if (refresh) refresh.addEventListener('click', () => load().catch(showError));
  }

  function showError(e) {
    const box = $('error');
    if (box) {
      box.textContent = 'Planning: ' + e.message;
      box.hidden = false;
    }
  }

  wire();
  load().catch(showError);
})();
