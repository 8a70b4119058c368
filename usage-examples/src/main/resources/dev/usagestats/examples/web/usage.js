// The Usage Statistics page: reads /api/keys, /api/models and /api/usage and draws the overview
// cards, the trend chart (inline SVG) and the model distribution; latency.js draws the latency.
// No libraries, no network but this server. The page state lives in the URL so a view can be
// bookmarked or shared.
'use strict';

(function () {
  const { el, niceMax } = window.usageCharts;
  const PALETTE = ['#7c3aed', '#0ea5e9', '#f59e0b', '#10b981', '#ef4444', '#6366f1', '#ec4899', '#84cc16'];
  const $ = (id) => document.getElementById(id);

  const params = new URLSearchParams(location.search);
  const state = {
    apiKey: params.get('apiKey') || '',
    model: params.get('model') || '',
    range: params.get('from') || params.get('to') ? 'custom' : (params.get('days') || '14'),
    firstDay: params.get('from') || '',
    lastDay: params.get('to') || '',
    view: (params.get('view') || 'TOTAL').toUpperCase(),
    zone: params.get('zone') || browserZone(),
  };
  const colors = new Map();
  let report = null;
  let requestSeq = 0;
  let loads = 0;

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    } catch (e) {
      return 'UTC';
    }
  }

  /** "1234567.891" -> "1,234,567.891", on the string so no float rounds it. */
  function groupDigits(decimal) {
    const s = String(decimal);
    const neg = s.startsWith('-');
    const [int, frac] = (neg ? s.slice(1) : s).split('.');
    const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return (neg ? '-' : '') + grouped + (frac !== undefined ? '.' + frac : '');
  }

  /** 1234567 -> "1,234.567": exact K tokens from a token count, by string, so nothing rounds. */
  function kExact(tokens) {
    const s = String(tokens).padStart(4, '0');
    return groupDigits(s.slice(0, -3) + '.' + s.slice(-3));
  }

  function percentOf(part, whole) {
    return whole > 0 ? ((part * 100) / whole).toFixed(1) + '%' : '0%';
  }

  function kTokens(tokens) {
    const k = tokens / 1000;
    return k.toLocaleString('en-US', { maximumFractionDigits: k < 10 ? 3 : 1 });
  }

  function colorOf(model) {
    if (!colors.has(model)) colors.set(model, PALETTE[colors.size % PALETTE.length]);
    return colors.get(model);
  }

  function query() {
    const q = new URLSearchParams();
    if (state.apiKey) q.set('apiKey', state.apiKey);
    if (state.model) q.set('model', state.model);
    if (state.range === 'custom') {
      if (state.firstDay) q.set('from', state.firstDay);
      if (state.lastDay) q.set('to', state.lastDay);
    } else if (state.range === 'month' || state.range === 'lastmonth') {
      const today = report ? report.today : todayIn(state.zone);
      const first = today.slice(0, 8) + '01';
      if (state.range === 'month') {
        q.set('from', first);
        q.set('to', today);
      } else {
        q.set('from', addMonths(first, -1));
        q.set('to', addDays(first, -1));
      }
    } else if (state.range === 'yesterday') {
      const y = report ? addDays(report.today, -1) : null;
      if (y) { q.set('from', y); q.set('to', y); } else q.set('days', '2');
    } else {
      q.set('days', state.range);
    }
    q.set('view', state.view.toLowerCase());
    q.set('zone', state.zone);
    return q;
  }

  /** Today's date (YYYY-MM-DD) in {@code zone}, before the first report says it. */
  function todayIn(zone) {
    try {
      return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
        .format(new Date());
    } catch (e) {
      return new Date().toISOString().slice(0, 10);
    }
  }

  function addMonths(isoDate, n) {
    const d = new Date(isoDate + 'T00:00:00Z');
    d.setUTCMonth(d.getUTCMonth() + n);
    return d.toISOString().slice(0, 10);
  }

  /** An exact decimal string as money: "1234.5" -> "$1,234.50" (already rounded by the server). */
  function money(decimal, currency) {
    const symbol = { USD: '$', EUR: '€', GBP: '£', JPY: '¥', CNY: '¥' }[currency];
    const text = groupDigits(decimal);
    return symbol ? (text.startsWith('-') ? '-' + symbol + text.slice(1) : symbol + text) : text + ' ' + currency;
  }

  /** A count of minor units (cents) as money, for the COST view's chart values. */
  function moneyOfMinor(units, cost) {
    const digits = cost.minorDigits;
    const s = String(Math.round(units)).padStart(digits + 1, '0');
    return money(digits > 0 ? s.slice(0, -digits) + '.' + s.slice(-digits) : s, cost.currency);
  }

  function addDays(isoDate, n) {
    const d = new Date(isoDate + 'T00:00:00Z');
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  async function getJson(url) {
    const res = await fetch(url, { cache: 'no-store', headers: { Accept: 'application/json' } });
    const body = await res.json().catch(() => ({ message: res.status + ' ' + res.statusText }));
    if (!res.ok) {
      const err = new Error(body.message || ('HTTP ' + res.status));
      err.body = body;
      throw err;
    }
    return body;
  }

  async function loadLists() {
    const [keys, models] = await Promise.all([getJson('/api/keys'), getJson('/api/models')]);
    const keySelect = $('api-key');
    keySelect.length = 1;
    for (const k of keys) {
      const label = k.display === k.id ? k.id : k.name + ' (' + k.display + ')';
      keySelect.add(new Option(label, k.id));
    }
    const modelSelect = $('model');
    modelSelect.length = 1;
    for (const m of models) {
      if (m.color) colors.set(m.name, m.color);
      modelSelect.add(new Option(m.name, m.name));
    }
    for (const m of models) colorOf(m.name);
    ensureOption(keySelect, state.apiKey);
    ensureOption(modelSelect, state.model);
  }

  function ensureOption(select, value) {
    if (value && ![...select.options].some((o) => o.value === value)) select.add(new Option(value, value));
    select.value = value;
  }

  async function load() {
    const seq = ++requestSeq;
    const q = query();
    document.body.dataset.state = 'loading';
    $('refresh').classList.add('spinning');
    try {
      const r = await getJson('/api/usage?' + q.toString());
      if (seq !== requestSeq) return;
      report = r;
      history.replaceState(null, '', '?' + q.toString());
      const expense = new URLSearchParams(q);
      expense.delete('view');
      $('export-csv').href = '/api/expenses.csv?' + expense.toString();
      $('error').hidden = true;
      render(r);
      // latency.js draws the latency card and chart of the same report (and query) from this.
      document.dispatchEvent(new CustomEvent('usage:report',
        { detail: { report: r, query: q.toString(), colorOf, formatInstant } }));
      document.body.dataset.state = 'ready';
    } catch (e) {
      if (seq !== requestSeq) return;
      $('error').textContent = e.message;
      $('error').hidden = false;
      document.body.dataset.state = 'error';
    } finally {
      if (seq === requestSeq) {
        $('refresh').classList.remove('spinning');
        document.body.dataset.loads = String(++loads);
      }
    }
  }

  function render(r) {
    const t = r.totals;
    $('total-ktokens').textContent = groupDigits(t.totalKTokens);
    $('input-ktokens').textContent = groupDigits(t.inputKTokens);
    $('output-ktokens').textContent = groupDigits(t.outputKTokens);
    $('total-calls').textContent = t.calls.toLocaleString('en-US') + ' calls'
      + (t.errors ? ', ' + t.errors.toLocaleString('en-US') + ' errors' : '');
    $('input-cached').textContent = percentOf(t.cachedInputTokens, t.inputTokens) + ' read from cache, '
      + percentOf(t.cacheCreationInputTokens, t.inputTokens) + ' written';
    $('cache-read-ktokens').textContent = kExact(t.cachedInputTokens);
    $('cache-creation-ktokens').textContent = kExact(t.cacheCreationInputTokens);
    $('cache-uncached').textContent =
      kExact(t.inputTokens - t.cachedInputTokens - t.cacheCreationInputTokens) + ' K input uncached';
    $('output-reasoning').textContent = kTokens(t.reasoningTokens) + ' K reasoning';
    renderCost(r);
    renderRetention(r);
    const asOf = new Date(r.asOf);
    $('as-of').textContent = r.firstDay + (r.lastDay !== r.firstDay ? ' – ' + r.lastDay : '')
      + ' (' + r.zone + ') · as of ' + formatInstant(asOf, r.zone, 'full');
    $('as-of').dataset.asOf = r.asOf;
    $('as-of').dataset.zone = r.zone;
    if (state.range === 'custom') {
      $('first-day').value = state.firstDay || r.firstDay;
      $('last-day').value = state.lastDay || r.lastDay;
    }
    for (const b of document.querySelectorAll('.view-switch button')) {
      const on = b.dataset.view === r.view;
      b.classList.toggle('active', on);
      b.setAttribute('aria-pressed', String(on));
    }
    $('chart-unit').textContent = r.view === 'PEAK_TOKENS_PER_MINUTE'
      ? '· peak tokens per minute (TPM) in each ' + r.granularity.toLowerCase()
      : r.view === 'COST'
      ? '· cost (' + r.cost.currency + ') per ' + r.granularity.toLowerCase()
      : '· ' + ({ TOTAL: 'total', INPUT: 'input', OUTPUT: 'output' }[r.view])
        + ' K tokens per ' + r.granularity.toLowerCase();
    drawChart(r);
    drawDistribution(r);
  }

  /** A notice when the range starts before the oldest usage kept: the report counts only the rest. */
  function renderRetention(r) {
    const box = $('retention-notice');
    box.hidden = !r.incompleteBefore;
    if (!r.incompleteBefore) {
      delete box.dataset.incompleteBefore;
      return;
    }
    box.dataset.incompleteBefore = r.incompleteBefore;
    box.textContent = 'Data before ' + localMinute(new Date(r.incompleteBefore), r.zone)
      + ' is past retention: these figures count only what is kept.';
  }

  /** "2026-10-01 10:00" in {@code zone}. */
  function localMinute(date, zone) {
    const opts = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    let parts;
    try {
      parts = new Intl.DateTimeFormat('en-CA', Object.assign({ timeZone: zone }, opts)).formatToParts(date);
    } catch (e) {
      parts = new Intl.DateTimeFormat('en-CA', Object.assign({ timeZone: 'UTC' }, opts)).formatToParts(date);
    }
    const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
    return p.year + '-' + p.month + '-' + p.day + ' ' + p.hour + ':' + p.minute;
  }

  /** The cost card, the Cost view and Export CSV: shown only when a price book priced the report. */
  function renderCost(r) {
    const c = r.cost;
    const priced = !!c;
    $('cost-card').hidden = !priced;
    $('cards').classList.toggle('priced', priced);
    $('view-cost').hidden = !priced;
    $('export-csv').hidden = !priced;
    for (const th of document.querySelectorAll('.cost-col')) th.hidden = !priced;
    if (!priced) return;
    $('cost-currency').textContent = c.currency;
    $('cost-total').textContent = money(c.totalDisplay, c.currency);
    $('cost-total').dataset.exact = c.total;
    $('cost-total').title = 'Exact: ' + c.total + ' ' + c.currency + ' (shown rounded half-even)';
    const notes = [];
    if (c.unpriced.length) {
      notes.push('Unpriced: ' + c.unpriced.map((u) => u.model + ' (' + groupDigits(u.totals.totalKTokens) + ' K)').join(', '));
    }
    const tiers = Object.keys(c.tiersIgnored);
    if (tiers.length) notes.push('Base price only: ' + tiers.join(', '));
    const changes = c.versions.filter((v) => !v.label.endsWith('@ always'));
    if (changes.length) notes.push('Prices from ' + changes.map((v) => v.label).join(', '));
    $('cost-sub').textContent = notes.length ? notes.join(' · ') : 'Every model priced';
  }

  function formatInstant(date, zone, style) {
    const opts = {
      full: { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false },
      DAY: { month: 'short', day: 'numeric' },
      WEEK: { month: 'short', day: 'numeric' },
      MONTH: { year: 'numeric', month: 'short' },
      HOUR: { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false },
      MINUTE: { hour: '2-digit', minute: '2-digit', hour12: false },
    }[style] || {};
    try {
      return date.toLocaleString('en-US', Object.assign({ timeZone: zone }, opts));
    } catch (e) {
      return date.toLocaleString('en-US', Object.assign({ timeZone: 'UTC' }, opts)) + ' UTC';
    }
  }



  function drawChart(r) {
    const box = $('chart');
    box.textContent = '';
    const width = Math.max(box.clientWidth || 0, 480);
    const height = 320;
    const m = { top: 16, right: 16, bottom: 36, left: 72 };
    const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Usage trend by model' }, box);
    const isCost = r.view === 'COST' && r.cost;
    const n = r.buckets.length;
    // A peak view shows rates (TPM), not K tokens; an unknown peak (null) sits on the axis.
    const peakView = r.view === 'PEAK_TOKENS_PER_MINUTE';
    const fmt = (v) => (isCost ? moneyOfMinor(v, r.cost)
      : peakView ? Math.round(v).toLocaleString('en-US') + ' TPM' : kTokens(v) + ' K');
    const max = niceMax(Math.max(0, ...r.series.flatMap((s) => s.values)));
    const x = (i) => m.left + (n <= 1 ? (width - m.left - m.right) / 2 : (i * (width - m.left - m.right)) / (n - 1));
    const y = (v) => height - m.bottom - (v / max) * (height - m.top - m.bottom);
    for (let g = 0; g <= 4; g++) {
      const v = (max * g) / 4;
      el('line', { class: 'grid', x1: m.left, x2: width - m.right, y1: y(v), y2: y(v) }, svg);
      const label = el('text', { class: 'axis-label', x: m.left - 8, y: y(v) + 4, 'text-anchor': 'end' }, svg);
      label.textContent = fmt(v);
    }
    const ticks = Math.min(n, Math.max(2, Math.floor((width - m.left - m.right) / 90)));
    const step = Math.max(1, Math.ceil(n / ticks));
    for (let i = 0; i < n; i += step) {
      const label = el('text', { class: 'axis-label', x: x(i), y: height - m.bottom + 18, 'text-anchor': 'middle' }, svg);
      label.textContent = formatInstant(new Date(r.buckets[i]), r.zone, r.granularity);
    }
    if (r.series.length === 0) {
      const t = el('text', { class: 'empty', x: width / 2, y: height / 2, 'text-anchor': 'middle' }, svg);
      t.textContent = 'No usage in this range';
    }
    const legend = $('legend');
    legend.textContent = '';
    // Buckets that begin after asOf have not happened: their zeros are not drawn, so lines end at
    // now. The last bucket begun is still running if it ends after asOf; its segment is dashed.
    const started = Math.min(n, r.bucketsStarted ?? n);
    const ends = (i) => new Date(i + 1 < n ? r.buckets[i + 1] : r.to);
    const running = started > 0 && ends(started - 1) > new Date(r.asOf);
    const done = running ? started - 1 : started;
    for (const s of r.series) {
      const color = s.model ? colorOf(s.model) : colorOf(s.label);
      const shown = s.values.slice(0, started);
      const at = (i) => x(i).toFixed(1) + ',' + y(shown[i]).toFixed(1);
      const points = shown.slice(0, done).map((v, i) => at(i)).join(' ');
      const line = el('polyline', {
        class: 'line', points, stroke: color, 'data-series': s.label, 'data-sum': s.sum, 'data-points': shown.length,
      }, svg);
      el('title', {}, line).textContent = s.label;
      if (running && done > 0) {
        const [x1, y1] = at(done - 1).split(',');
        const [x2, y2] = at(done).split(',');
        const tail = el('line', { class: 'line running', x1, y1, x2, y2, stroke: color, 'data-series': s.label }, svg);
        el('title', {}, tail).textContent = s.label + ' · so far';
      }
      if (n <= 120) {
        shown.forEach((v, i) => {
          const dot = el('circle', { cx: x(i), cy: y(v), r: 2.5, fill: color, 'data-series': s.label }, svg);
          el('title', {}, dot).textContent =
            s.label + ' · ' + formatInstant(new Date(r.buckets[i]), r.zone, r.granularity) + ': '
            + (isCost ? fmt(v) : kTokens(v) + ' K tokens')
            + (running && i === done ? ' so far' : '');
        });
      }
      const item = document.createElement('span');
      item.className = 'legend-item';
      item.dataset.series = s.label;
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = color;
      item.append(sw, document.createTextNode(s.label + ' · '
        + (isCost ? (s.cost == null ? 'unpriced' : money(s.costDisplay, r.cost.currency))
          : (peakView ? 'peak ' : '') + fmt(s.sum))));
      legend.appendChild(item);
    }
  }

  function drawDistribution(r) {
    const body = $('distribution').tBodies[0];
    body.textContent = '';
    for (const d of r.distribution) {
      const tr = body.insertRow();
      tr.dataset.model = d.model;
      tr.insertCell().textContent = d.model;
      tr.insertCell().textContent = d.totals.calls.toLocaleString('en-US');
      tr.insertCell().textContent = groupDigits(d.totals.inputKTokens);
      tr.insertCell().textContent = groupDigits(d.totals.outputKTokens);
      tr.insertCell().textContent = groupDigits(d.totals.totalKTokens);
      const share = tr.insertCell();
      const bar = document.createElement('span');
      bar.className = 'share-bar';
      bar.style.width = Math.round(d.tokenShare * 80) + 'px';
      bar.style.background = colorOf(d.model);
      share.append(bar, document.createTextNode((d.tokenShare * 100).toFixed(1) + '%'));
      if (r.cost) {
        const cost = tr.insertCell();
        cost.className = 'cost';
        if (d.cost == null) {
          cost.textContent = 'unpriced';
          cost.classList.add('unpriced');
          tr.insertCell().textContent = '–';
        } else {
          cost.textContent = money(d.costDisplay, r.cost.currency);
          cost.dataset.exact = d.cost;
          cost.title = 'Exact: ' + d.cost + ' ' + r.cost.currency;
          const costShare = tr.insertCell();
          const cbar = document.createElement('span');
          cbar.className = 'share-bar';
          cbar.style.width = Math.round(d.costShare * 80) + 'px';
          cbar.style.background = colorOf(d.model);
          costShare.append(cbar, document.createTextNode((d.costShare * 100).toFixed(1) + '%'));
        }
      }
    }
    if (r.distribution.length === 0) {
      const td = body.insertRow().insertCell();
      td.colSpan = r.cost ? 8 : 6;
      td.textContent = 'No usage in this range';
    }
  }

  function wire() {
    $('api-key').addEventListener('change', (e) => { state.apiKey = e.target.value; load(); });
    $('model').addEventListener('change', (e) => { state.model = e.target.value; load(); });
    $('range').addEventListener('change', (e) => {
      state.range = e.target.value;
      $('custom-range').hidden = state.range !== 'custom';
      if (state.range === 'custom') {
        state.firstDay = report ? report.firstDay : '';
        state.lastDay = report ? report.lastDay : '';
      }
      load();
    });
    for (const id of ['first-day', 'last-day']) {
      $(id).addEventListener('change', () => {
        state.firstDay = $('first-day').value;
        state.lastDay = $('last-day').value;
        if (state.firstDay && state.lastDay && state.lastDay < state.firstDay) {
          state.lastDay = state.firstDay;
          $('last-day').value = state.lastDay;
        }
        load();
      });
    }
    for (const b of document.querySelectorAll('.view-switch button')) {
      b.addEventListener('click', () => { state.view = b.dataset.view; load(); });
    }
    $('refresh').addEventListener('click', async () => {
      try {
        await loadLists();
      } catch (e) {
        // the report below shows the error
      }
      load();
    });
    let resize = 0;
    window.addEventListener('resize', () => {
      clearTimeout(resize);
      resize = setTimeout(() => report && drawChart(report), 150);
    });
  }

  async function start() {
    const rangeSelect = $('range');
    if (![...rangeSelect.options].some((o) => o.value === state.range)) {
      rangeSelect.add(new Option('Last ' + state.range + ' days', state.range));
    }
    rangeSelect.value = state.range;
    $('custom-range').hidden = state.range !== 'custom';
    wire();
    try {
      await loadLists();
    } catch (e) {
      $('error').textContent = 'Could not load keys and models: ' + e.message;
      $('error').hidden = false;
    }
    await load();
  }

  start();
})();
