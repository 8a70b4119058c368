// The latency part of the Usage Statistics page: the p95 latency card and, below the usage trend,
// a latency chart on the same time axis (p50 and p95 duration per model, or per API key when one
// model is selected). It draws from each report usage.js loads (the 'usage:report' event); per key
// it asks /api/usage for the same query grouped by API key. Inline SVG, no libraries.
'use strict';

(function () {
  const { el, niceMax } = window.usageCharts;
  const KEY_PALETTE = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#65a30d', '#dc2626'];
  const $ = (id) => document.getElementById(id);
  let last = null; // { report, detail } of the chart drawn last, for redraws on resize
  let seq = 0;

  /** 850 -> "850 ms", 12350 -> "12.4 s", 123456 -> "123 s": rounded half up, from whole ms. */
  function duration(ms) {
    if (ms == null) return '–';
    if (ms < 1000) return Math.round(ms).toLocaleString('en-US') + ' ms';
    const s = ms < 100000 ? Math.round(ms / 100) / 10 : Math.round(ms / 1000);
    return s.toLocaleString('en-US', { maximumFractionDigits: 1 }) + ' s';
  }



  /** The overview card: p95 duration of the selection, with p50, p95 time to first token, speed. */
  function renderCard(r) {
    const card = $('latency-p95');
    const d = r.latency && r.latency.duration;
    if (!d) {
      card.textContent = '–';
      delete card.dataset.millis;
      $('latency-sub').textContent = 'No latency recorded';
      return;
    }
    card.textContent = duration(d.p95Millis);
    card.dataset.millis = String(d.p95Millis);
    card.title = d.count.toLocaleString('en-US') + ' calls with latency; max ' + duration(d.maxMillis);
    const parts = ['p50 ' + duration(d.p50Millis)];
    const t = r.latency.timeToFirstToken;
    if (t) parts.push('first token p95 ' + duration(t.p95Millis));
    const tps = r.latency.outputTokensPerSecond;
    if (tps != null) parts.push(tps.toLocaleString('en-US', { maximumFractionDigits: 0 }) + ' tok/s');
    $('latency-sub').textContent = parts.join(' · ');
  }

  /** Per series, its p50 and p95 duration per bucket (ms; null where the bucket had none). */
  function percentiles(s, field) {
    return s.points.map((p) => (p.latency && p.latency.duration ? p.latency.duration[field] : null));
  }

  function keyName(id) {
    const o = [...$('api-key').options].find((x) => x.value === id);
    return o ? o.textContent : id;
  }

  function drawChart(r, detail) {
    const box = $('latency-chart');
    box.textContent = '';
    const perKey = r.groupBy === 'API_KEY';
    $('latency-title').textContent = perKey ? 'Latency by API key' : 'Latency by model';
    const width = Math.max(box.clientWidth || 0, 480);
    const height = 260;
    // The same margins and x positions as the usage trend, so a bucket sits above the same one.
    const m = { top: 16, right: 16, bottom: 36, left: 72 };
    const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': $('latency-title').textContent }, box);
    const n = r.buckets.length;
    const started = Math.min(n, r.bucketsStarted ?? n);
    const lines = r.series.map((s, i) => ({
      s,
      color: perKey ? KEY_PALETTE[i % KEY_PALETTE.length] : detail.colorOf(s.model || s.label),
      label: perKey ? keyName(s.apiKey) : s.label,
      p50: percentiles(s, 'p50Millis').slice(0, started),
      p95: percentiles(s, 'p95Millis').slice(0, started),
    }));
    const max = niceMax(Math.max(0, ...lines.flatMap((l) => l.p95.filter((v) => v != null))));
    const x = (i) => m.left + (n <= 1 ? (width - m.left - m.right) / 2 : (i * (width - m.left - m.right)) / (n - 1));
    const y = (v) => height - m.bottom - (v / max) * (height - m.top - m.bottom);
    for (let g = 0; g <= 4; g++) {
      const v = (max * g) / 4;
      el('line', { class: 'grid', x1: m.left, x2: width - m.right, y1: y(v), y2: y(v) }, svg);
      el('text', { class: 'axis-label', x: m.left - 8, y: y(v) + 4, 'text-anchor': 'end' }, svg).textContent = duration(v);
    }
    const ticks = Math.min(n, Math.max(2, Math.floor((width - m.left - m.right) / 90)));
    const step = Math.max(1, Math.ceil(n / ticks));
    for (let i = 0; i < n; i += step) {
      el('text', { class: 'axis-label', x: x(i), y: height - m.bottom + 18, 'text-anchor': 'middle' }, svg)
        .textContent = detail.formatInstant(new Date(r.buckets[i]), r.zone, r.granularity);
    }
    markDiagnosis(svg, r, { x, top: m.top, bottom: height - m.bottom, width: n > 1 ? x(1) - x(0) : 12 });
    if (!lines.some((l) => l.p95.some((v) => v != null))) {
      el('text', { class: 'empty', x: width / 2, y: height / 2, 'text-anchor': 'middle' }, svg)
        .textContent = 'No latency recorded in this range';
    }
    const legend = $('latency-legend');
    legend.textContent = '';
    for (const l of lines) {
      for (const [pct, values] of [['p95', l.p95], ['p50', l.p50]]) {
        const g = el('g', {
          class: 'latency-line ' + pct, 'data-series': l.s.label, 'data-percentile': pct,
          'data-values': JSON.stringify(values), stroke: l.color,
        }, svg);
        // A bucket without latency breaks the line rather than dropping it to zero.
        let run = [];
        const flush = () => {
          if (run.length > 1) el('polyline', { class: 'line', points: run.join(' ') }, g);
          if (run.length === 1) {
            const [cx, cy] = run[0].split(',');
            el('circle', { cx, cy, r: 1.5, fill: l.color }, g);
          }
          run = [];
        };
        values.forEach((v, i) => {
          if (v == null) flush();
          else run.push(x(i).toFixed(1) + ',' + y(v).toFixed(1));
        });
        flush();
        el('title', {}, g).textContent = l.label + ' · ' + pct + ' duration';
      }
      const d = l.s.latency && l.s.latency.duration;
      const item = document.createElement('span');
      item.className = 'legend-item';
      item.dataset.series = l.s.label;
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = l.color;
      item.append(sw, document.createTextNode(l.label + ' · '
        + (d ? 'p50 ' + duration(d.p50Millis) + ', p95 ' + duration(d.p95Millis) : 'no latency')));
      legend.appendChild(item);
    }
  }

  /**
   * The hook for the diagnosis: when the report carries a {@code diagnosis} array (buckets where a
   * usage spike and a slowdown coincide; computed by usage-core, not here), marks each listed
   * bucket with a band across the chart. An entry names its bucket by {@code start} (an instant of
   * {@code buckets}) or {@code bucket} (an index), and may name its group ({@code label}) and a
   * {@code kind}; the band's tooltip shows them. Without the array nothing is drawn.
   */
  function markDiagnosis(svg, r, geo) {
    if (!Array.isArray(r.diagnosis)) return;
    for (const d of r.diagnosis) {
      const i = typeof d.bucket === 'number' ? d.bucket : r.buckets.indexOf(d.start);
      if (i < 0 || i >= r.buckets.length) continue;
      const band = el('rect', {
        class: 'diagnosis-mark', x: geo.x(i) - geo.width / 2, y: geo.top, width: geo.width,
        height: geo.bottom - geo.top, 'data-start': r.buckets[i],
      }, svg);
      el('title', {}, band).textContent = [d.kind || 'spike with slowdown', d.label, r.buckets[i]]
        .filter(Boolean).join(' · ');
    }
  }

  async function load(detail) {
    const r = detail.report;
    const mine = ++seq;
    const box = $('latency-chart');
    box.dataset.state = 'loading';
    renderCard(r);
    try {
      let chart = r;
      // One model selected: its latency per API key, from the same query grouped by key.
      if (r.filters.model) {
        const q = new URLSearchParams(detail.query);
        q.set('groupBy', 'api_key');
        q.set('view', 'total');
        const res = await fetch('/api/usage?' + q.toString(), { cache: 'no-store' });
        const body = await res.json();
        if (!res.ok) throw new Error(body.message || 'HTTP ' + res.status);
        chart = body;
      }
      if (mine !== seq) return;
      last = { report: chart, detail };
      drawChart(chart, detail);
      box.dataset.query = detail.query;
      box.dataset.state = 'ready';
    } catch (e) {
      if (mine !== seq) return;
      box.textContent = 'Latency unavailable: ' + e.message;
      box.dataset.query = detail.query;
      box.dataset.state = 'error';
    }
  }

  document.addEventListener('usage:report', (e) => load(e.detail));
  let resize = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resize);
    resize = setTimeout(() => last && drawChart(last.report, last.detail), 150);
  });
})();
