// The page script of `npswatch report`: builds the charts (ECharts, inlined before this script) and the tables from
// the model in #npswatch-model, in the language chosen with the switch. Text from the model is only ever set with
// textContent or drawn on canvas: never parsed as HTML.
/* global echarts */
(() => {
  const model = JSON.parse(document.getElementById('npswatch-model').textContent);
  const TEXT = JSON.parse(document.getElementById('npswatch-text').textContent);
  const CATEGORIES = ['error', 'support-required', 'unknown', 'non-error', 'info'];
  const COLORS = {
    error: '#c0392b',
    'support-required': '#8e44ad',
    unknown: '#e67e22',
    'non-error': '#2e86c1',
    info: '#a6acaf',
  };
  const TREND_ARROWS = { up: '↑', down: '↓', flat: '→' };
  // Both charts share the bucket axis: the same left margin (room for rule names) keeps their times aligned.
  const GRID_LEFT = 190;
  let lang = model.lang in TEXT ? model.lang : 'en';
  let charts = [];

  const t = () => TEXT[lang];
  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (m, k) => (Object.hasOwn(values, k) ? String(values[k]) : m));

  /** An element with attributes and children (strings become text nodes, never HTML). */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Number.POSITIVE_INFINITY)) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  // Times in the report's zone (--tz), as YYYY-MM-DD HH:mm:ss whatever the viewer's locale.
  const zoned = new Intl.DateTimeFormat('en-CA', {
    timeZone: model.tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  function time(ms, withSeconds = true) {
    const p = {};
    for (const part of zoned.formatToParts(new Date(ms))) p[part.type] = part.value;
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}${withSeconds ? `:${p.second}` : ''}`;
  }
  function duration(ms) {
    const units = [
      ['d', 86400000],
      ['h', 3600000],
      ['m', 60000],
      ['s', 1000],
    ];
    const out = [];
    let rest = ms;
    for (const [u, size] of units) {
      const n = Math.floor(rest / size);
      if (n > 0 || (out.length === 0 && u === 's')) out.push(`${n}${u}`);
      rest -= n * size;
      if (out.length === 2) break;
    }
    return out.join(' ');
  }
  const num = (n) => Number(n).toLocaleString('en-US');
  const pct = (x) => `${(x * 100).toFixed(1)}%`;

  function table(name, headers, rows) {
    return h(
      'table',
      { 'data-table': name },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((x) => h('th', { scope: 'col' }, x)),
        ),
      ),
      h('tbody', {}, rows),
    );
  }
  const td = (col, ...content) => h('td', { 'data-col': col }, ...content);
  const numTd = (col, n) => h('td', { 'data-col': col, class: 'num' }, num(n));
  const chip = (category) =>
    h(
      'span',
      { class: 'chip', style: `background:${COLORS[category] || '#777'}` },
      t().categories[category] || category,
    );

  function section(id, title, ...content) {
    return h('section', { id, 'data-section': id }, h('h2', {}, title), ...content);
  }

  // Chart buckets: index of a time on the shared category axis.
  const buckets = model.timeline.series.error.length;
  const bucketOf = (ms) =>
    Math.min(Math.max(Math.floor((ms - model.timeline.start) / model.timeline.step), 0), Math.max(buckets - 1, 0));
  const labels = Array.from({ length: buckets }, (_, i) => time(model.timeline.start + i * model.timeline.step, false));
  const zoomTo = (from, to) => {
    const pad = 2;
    charts[0]?.dispatchAction({
      type: 'dataZoom',
      startValue: Math.max(bucketOf(from) - pad, 0),
      endValue: Math.min(bucketOf(to) + pad, buckets - 1),
    });
    document.getElementById('timeline')?.scrollIntoView({ behavior: 'smooth' });
  };

  function header() {
    const x = t();
    const switcher = h(
      'nav',
      { class: 'lang', 'aria-label': x.language },
      ['en', 'ko'].map((l) =>
        h(
          'button',
          {
            type: 'button',
            'data-lang': l,
            'aria-pressed': l === lang ? 'true' : 'false',
            onclick: () => setLang(l),
          },
          l === 'en' ? 'English' : '한국어',
        ),
      ),
    );
    return h(
      'header',
      {},
      switcher,
      h('h1', {}, x.title),
      h(
        'p',
        { class: 'muted' },
        fill(x.generated, { version: model.version, time: time(model.generatedAt), tz: model.tz }),
      ),
    );
  }

  function overview() {
    const x = t();
    const m = model.totals;
    const range = model.range
      ? h('p', { 'data-range': '' }, `${x.range}: ${time(model.range.from)} — ${time(model.range.to)}`)
      : h('p', {}, x.noEvents);
    const totals = h(
      'dl',
      { class: 'totals', 'data-table': 'totals' },
      [
        ['events', x.events, m.events],
        ['rejected', x.rejected, m.rejected],
        ['late', x.late, m.late],
        ['alerts', x.alerts, m.alerts],
        ...CATEGORIES.map((c) => [`category-${c}`, x.categories[c], m.byCategory[c]]),
      ].map(([key, label, value]) =>
        h('div', { 'data-key': key }, h('dt', {}, label), h('dd', { 'data-col': 'value' }, num(value))),
      ),
    );
    const inputs = table(
      'inputs',
      [x.input, x.events, x.rejected],
      model.inputs.map((i) =>
        h('tr', { 'data-key': i.name }, td('name', i.name), numTd('events', i.events), numTd('rejected', i.rejected)),
      ),
    );
    return section('overview', x.overview, range, totals, inputs);
  }

  function timeline() {
    const x = t();
    if (buckets === 0) return section('timeline', x.timeline, h('p', {}, x.noEvents));
    const hint = fill(x.timelineHint, { bucket: duration(model.timeline.step) });
    return section(
      'timeline',
      x.timeline,
      h('p', { class: 'muted' }, hint),
      h('div', { class: 'chart', id: 'chart-timeline' }),
    );
  }

  function alerts() {
    const x = t();
    if (model.alerts.length === 0) return section('alerts', x.alertTimeline, h('p', {}, x.noAlerts));
    const rows = model.alerts.flatMap((a, i) => {
      const events = table(
        'alert-events',
        [x.time, x.server, x.user, x.code, x.where, x.message],
        a.events.map((e) =>
          h(
            'tr',
            {},
            td('time', time(e.time)),
            td('server', e.host || ''),
            td('user', e.user || ''),
            td('code', e.code || ''),
            td('where', `${e.file}:${e.line}`),
            td('message', h('span', { class: 'message' }, e.message || '')),
          ),
        ),
      );
      const value = a.threshold === undefined ? num(a.value) : `${num(a.value)} / ${num(a.threshold)}`;
      return [
        h(
          'tr',
          { id: `alert-${i}`, 'data-key': a.id, class: `status-${a.status}` },
          td('time', time(a.time)),
          td('rule', a.ruleId),
          td('status', x.statuses[a.status] || a.status),
          td('severity', a.severity),
          td('key', a.key),
          td('summary', a.summary),
          td(
            'codes',
            a.codes.map((c, j) => [j > 0 ? ', ' : '', h('a', { href: `#code-${encodeURIComponent(c)}` }, c)]),
          ),
          td('value', value),
          td(
            'events',
            h(
              'details',
              {},
              h('summary', {}, `${x.showEvents} (${a.events.length})`),
              h(
                'p',
                {},
                x.behind,
                ' ',
                h('button', { type: 'button', onclick: () => zoomTo(a.windowStart, a.windowEnd) }, x.zoom),
              ),
              events,
            ),
          ),
        ),
      ];
    });
    const omitted = model.totals.alertsOmitted
      ? h('p', { class: 'muted' }, fill(x.omitted, { n: num(model.totals.alertsOmitted) }))
      : null;
    return section(
      'alerts',
      x.alertTimeline,
      h('div', { class: 'chart small', id: 'chart-alerts' }),
      table('alerts', [x.time, x.rule, x.status, x.severity, x.key, x.summary, x.code, x.value, x.showEvents], rows),
      omitted,
    );
  }

  function codes() {
    const x = t();
    const rows = model.codes.map((c) => {
      const what = c.title
        ? [
            h('strong', {}, c.title[lang]),
            h(
              'details',
              {},
              h('summary', {}, x.cause),
              h('p', {}, c.cause[lang]),
              h('a', { href: c.docUrl, rel: 'noreferrer' }, x.reference),
            ),
          ]
        : h('em', {}, x.unknownCode);
      const todo = c.remediation
        ? h(
            'ol',
            {},
            c.remediation[lang].map((step) => h('li', {}, step)),
          )
        : '';
      return h(
        'tr',
        { id: `code-${encodeURIComponent(c.code)}`, 'data-key': c.code },
        td('code', h('code', {}, c.code)),
        td('category', chip(c.category)),
        td('severity', c.severity),
        numTd('count', c.count),
        td(
          'trend',
          h(
            'span',
            { class: `trend trend-${c.trend}`, title: `${x.trends[c.trend]}: ${x.trendHint}`, 'data-trend': c.trend },
            `${TREND_ARROWS[c.trend]} ${num(c.firstHalf)} → ${num(c.secondHalf)}`,
          ),
        ),
        numTd('servers', c.servers),
        numTd('users', c.users),
        td('what', what),
        td('remediation', todo),
      );
    });
    return section(
      'codes',
      x.codes,
      table(
        'codes',
        [
          x.code,
          x.category,
          x.severity,
          x.count,
          `${x.trend} (${x.trendHint})`,
          x.servers,
          x.users,
          x.what,
          x.remediation,
        ],
        rows,
      ),
    );
  }

  function servers() {
    const x = t();
    const rows = model.servers.map((s) => {
      const shown = s.silences.map((g) => h('li', {}, `${time(g.from)} — ${time(g.to)} (${duration(g.to - g.from)})`));
      const more = s.silenceCount - s.silences.length;
      return h(
        'tr',
        { 'data-key': s.host },
        td('server', s.host),
        numTd('events', s.events),
        numTd('errors', s.errors),
        td('errorRate', pct(s.errorRate)),
        numTd('rejects', s.rejects),
        numTd('users', s.users),
        td('first', time(s.first)),
        td('last', time(s.last)),
        td(
          'silences',
          s.silenceCount === 0
            ? x.none
            : h(
                'ul',
                { 'data-count': s.silenceCount },
                shown,
                more > 0 ? h('li', {}, fill(x.more, { n: more })) : null,
              ),
        ),
      );
    });
    return section(
      'servers',
      x.servers,
      table(
        'servers',
        [
          x.server,
          x.events,
          x.errors,
          x.errorRate,
          x.rejects,
          x.users,
          x.firstSeen,
          x.lastSeen,
          `${x.silences} (${fill(x.silencesHint, { silence: duration(model.options.silenceMs) })})`,
        ],
        rows,
      ),
    );
  }

  function users() {
    const x = t();
    const rows = model.users.map((u) =>
      h(
        'tr',
        { 'data-key': u.user },
        td('user', u.user),
        numTd('nonErrors', u.nonErrors),
        td('codes', u.codes.map((c) => `${c.code} ×${num(c.count)}`).join(', ')),
        td('servers', u.servers.join(', ')),
        td('first', time(u.first)),
        td('last', time(u.last)),
      ),
    );
    const more = model.usersTotal - model.users.length;
    return section(
      'users',
      x.repeatUsers,
      h('p', { class: 'muted' }, fill(x.repeatUsersHint, { n: model.options.minRepeats })),
      model.pseudonymized ? h('p', { class: 'note', 'data-pseudonymized': '' }, x.pseudonymized) : null,
      rows.length
        ? table('users', [x.user, x.nonErrors, x.code, x.servers, x.firstSeen, x.lastSeen], rows)
        : h('p', {}, x.none),
      more > 0 ? h('p', { class: 'muted' }, fill(x.more, { n: num(more) })) : null,
    );
  }

  function groups(id, title, label, rows, total) {
    const x = t();
    const body = rows.map((g) =>
      h(
        'tr',
        { 'data-key': g.key },
        td('key', g.key),
        numTd('requests', g.requests),
        numTd('rejects', g.rejects),
        td('rejectRate', pct(g.rejectRate)),
        numTd('errors', g.errors),
        td('errorRate', pct(g.errorRate)),
        numTd('users', g.users),
        td('clients', g.clients.join(', ')),
        td('first', time(g.first)),
        td('last', time(g.last)),
      ),
    );
    const more = total - rows.length;
    return section(
      id,
      title,
      id === 'nas' ? h('p', { class: 'muted' }, x.nasHint) : null,
      table(
        id,
        [
          label,
          x.requests,
          x.rejects,
          x.rejectRate,
          x.errors,
          x.errorRate,
          x.users,
          x.clients,
          x.firstSeen,
          x.lastSeen,
        ],
        body,
      ),
      more > 0 ? h('p', { class: 'muted' }, fill(x.more, { n: num(more) })) : null,
    );
  }

  function radius() {
    const x = t();
    if (model.nas.length === 0 && model.policies.length === 0)
      return section('nas', x.nas, h('p', { class: 'note' }, x.noRadius));
    return [
      groups('nas', x.nas, 'NAS', model.nas, model.nasTotal),
      groups('policies', x.policies, x.policy, model.policies, model.policiesTotal),
    ];
  }

  function timelineChart(node) {
    const chart = echarts.init(node, null, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      color: CATEGORIES.map((c) => COLORS[c]),
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: { left: GRID_LEFT, right: 24, top: 36, bottom: 72 },
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'value', minInterval: 1 },
      dataZoom: [
        { type: 'inside', xAxisIndex: 0 },
        { type: 'slider', xAxisIndex: 0 },
      ],
      series: CATEGORIES.map((c) => ({
        id: c,
        name: t().categories[c],
        type: 'bar',
        stack: 'events',
        barCategoryGap: '10%',
        data: model.timeline.series[c],
      })),
    });
    return chart;
  }

  const escapeHtml = (s) =>
    String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

  function alertsChart(node) {
    const rules = [...new Set(model.alerts.map((a) => a.ruleId))].sort();
    const point = (a, i) => [bucketOf(a.time), rules.indexOf(a.ruleId), i];
    const byStatus = (status) => model.alerts.map((a, i) => (a.status === status ? point(a, i) : null)).filter(Boolean);
    const chart = echarts.init(node, null, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      color: ['#c0392b', '#27ae60'],
      legend: { top: 0 },
      // The tooltip is HTML: every model value in it is escaped.
      tooltip: {
        trigger: 'item',
        formatter: (p) => {
          const a = model.alerts[p.value[2]];
          return `${escapeHtml(time(a.time))}<br><b>${escapeHtml(a.ruleId)}</b> ${escapeHtml(t().statuses[a.status])}<br>${escapeHtml(a.summary)}`;
        },
      },
      grid: { left: GRID_LEFT, right: 24, top: 36, bottom: 40 },
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'category', data: rules },
      dataZoom: [
        { type: 'inside', xAxisIndex: 0 },
        { type: 'slider', xAxisIndex: 0, height: 14, bottom: 8 },
      ],
      series: ['firing', 'resolved'].map((status) => ({
        name: t().statuses[status],
        type: 'scatter',
        symbolSize: 10,
        itemStyle: { opacity: 1 },
        data: byStatus(status),
      })),
    });
    chart.on('click', (p) => {
      const row = document.getElementById(`alert-${p.value[2]}`);
      if (!row) return;
      row.querySelector('details')?.setAttribute('open', '');
      row.scrollIntoView({ behavior: 'smooth', block: 'center' });
    });
    return chart;
  }

  function render() {
    for (const c of charts) c.dispose();
    charts = [];
    document.documentElement.lang = lang;
    document.title = t().title;
    const app = document.getElementById('app');
    app.replaceChildren(header(), overview(), timeline(), alerts(), codes(), servers(), users(), ...[radius()].flat());
    if (buckets > 0) {
      charts.push(timelineChart(document.getElementById('chart-timeline')));
      const node = document.getElementById('chart-alerts');
      if (node) charts.push(alertsChart(node));
      // Zooming one chart zooms the other: both share the bucket axis.
      echarts.connect(charts);
    }
    document.body.dataset.rendered = lang;
  }

  function setLang(l) {
    if (l === lang || !(l in TEXT)) return;
    lang = l;
    render();
  }

  window.addEventListener('resize', () => {
    for (const c of charts) c.resize();
  });
  render();
})();
