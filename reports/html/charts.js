// index.html's charts (docs/report-html.md): Vega-Lite specs drawn from the report's data
// (reports/chart_data.cpp, inlined as #report-data). PLOTS is the list of charts: a new chart is
// one entry there. Each chart marks its element with data-state ("rendered", "empty" or "error")
// and data-points (the values drawn), which tests/reports/html_test.cpp checks in a real browser.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const familyNames = data.families.map((f) => f.name);
  const familyColors = data.families.map((f) => f.color);
  const kernelsByName = new Map(data.kernels.map((k) => [k.name, k]));
  const unitTitle = { ulp: 'ulp (vs exact)', abs: 'absolute error' };

  // Per cell: its reproduce command, and the unit of its kernel's measure.
  for (const c of data.cells) {
    const k = kernelsByName.get(c.kernel);
    c.reproduce = k.reproduce.replace('{family}', c.family).replace('{cols}', String(c.cols));
    c.unit = k.unit;
  }
  const cellsOf = (kernel) => data.cells.filter((c) => c.kernel === kernel);
  const positive = (field) => (c) => typeof c[field] === 'number' && c[field] > 0;

  // ---- pieces shared by the specs ----
  const familyColor = {
    field: 'family', type: 'nominal', title: 'family',
    scale: { domain: familyNames, range: familyColors }, legend: null,
  };
  // Log axes end on whole decades (no point on the frame), labelled at the decades only, in
  // exponent form outside [0.01, 1e5), where long decimals would overlap.
  const logScale = { type: 'log', nice: true };
  const logAxis = {
    labelOverlap: 'greedy',
    labelExpr: "abs(log(datum.value) / LN10 - round(log(datum.value) / LN10)) > 1e-6 ? '' : " +
      "datum.value >= 0.01 && datum.value < 1e5 ? format(datum.value, '~g') : format(datum.value, '.0e')",
  };
  const fmt = '.4~g';
  function cellTooltip(unit) {
    return [
      { field: 'kernel' }, { field: 'family' }, { field: 'cols' },
      { field: 'error', title: 'max error (' + unitTitle[unit] + ')', format: fmt },
      { field: 'observed', title: 'tightest output: error', format: fmt },
      { field: 'bound', title: 'tightest output: bound', format: fmt },
      { field: 'tightness', title: 'tightness (error / bound)', format: fmt },
      { field: 'ulp_max', title: 'max ulp (exact)', format: fmt },
      { field: 'ulp_p99', title: 'p99 ulp (exact)', format: fmt },
      { field: 'magnitude', title: 'mean max |logit|', format: fmt },
      { field: 'spread', title: 'mean logit spread', format: fmt },
      { field: 'verdict' }, { field: 'failures' }, { field: 'reproduce', title: 'reproduce' },
    ];
  }
  for (const c of data.cells) c.verdict = c.passed ? 'passed' : 'FAILED';
  // The families the page legend shows (a signal every chart filters on) and zoom / pan
  // (drag, wheel; double-click resets).
  const shownParam = () => ({ name: 'shown', value: familyNames.filter((f) => !hiddenFamilies.has(f)) });
  const shownFilter = { filter: 'indexof(shown, datum.family) >= 0' };
  const zoom = (encodings) => ({ name: 'zoom', select: { type: 'interval', encodings: encodings || ['x', 'y'] }, bind: 'scales' });
  // Failed cells stand out: a cross instead of a dot.
  const verdictShape = {
    field: 'verdict', type: 'nominal', legend: null,
    scale: { domain: ['passed', 'FAILED'], range: ['circle', 'cross'] },
  };
  const exactNote = (n, what) => (n ? n + ' ' + what + ' without error not drawn (a log axis has no 0). ' : '');

  // ---- the charts: scope "summary" (once) or "kernel" (once per kernel) ----
  const PLOTS = [
    {
      id: 'tightness', scope: 'summary', title: 'Tightness (observed error / bound) of every cell, by kernel',
      values: () => data.cells.filter(positive('tightness')),
      caption: () => 'Each point is a cell\'s tightest output; right of the red rule (1) it is over its bound ' +
        '(a cross: a failed cell). ' +
        exactNote(data.cells.filter((c) => !(c.tightness > 0)).length, 'cells') + 'Click a point to open its kernel.',
      spec: (values) => ({
        width: 560, height: Math.max(120, 15 * data.kernels.length),
        params: [shownParam()],
        layer: [
          {
            data: { values },
            params: [zoom(['x'])],
            transform: [shownFilter],
            mark: { type: 'point', filled: true, size: 28, opacity: 0.75 },
            encoding: {
              y: { field: 'kernel', type: 'nominal', sort: data.kernels.map((k) => k.name), title: null, axis: { labelLimit: 300 } },
              x: {
                field: 'tightness', type: 'quantitative', axis: logAxis, title: 'tightness = observed / bound (log)',
                // The rule at 1 inside the axis, not on its edge.
                scale: Object.assign({ domainMax: Math.max(2, ...values.map((c) => c.tightness)) }, logScale),
              },
              color: familyColor, shape: verdictShape, tooltip: cellTooltip('ulp').filter((t) => t.field !== 'error'),
            },
          },
          { data: { values: [{ one: 1 }] }, mark: { type: 'rule', color: '#c00', strokeDash: [4, 3] }, encoding: { x: { field: 'one', type: 'quantitative' } } },
        ],
      }),
      onClick: (item) => { if (item && item.datum && item.datum.kernel) location.hash = kernelsByName.get(item.datum.kernel).anchor; },
    },
    {
      id: 'overlay', scope: 'summary', title: 'Kernels side by side: worst cell per row length',
      controls: overlayControls,
      values: () => overlayValues(),
      caption: () => 'Per kernel and row length, the largest value over the families shown. Pick kernels in the ' +
        'list (ctrl/shift-click for several); click a kernel in the legend to highlight it.',
      spec: (values) => ({
        width: 560, height: 300,
        data: { values },
        params: [shownParam(), zoom(['x']), { name: 'pick', select: { type: 'point', fields: ['kernel'] }, bind: 'legend' }],
        transform: [shownFilter, { filter: 'datum.v > 0' }],
        mark: { type: 'line', point: true, strokeWidth: 1.5 },
        encoding: {
          x: { field: 'cols', type: 'quantitative', scale: logScale, axis: logAxis, title: 'cols (log)' },
          y: { field: 'v', type: 'quantitative', aggregate: 'max', scale: logScale, axis: logAxis, title: overlayState.metricTitle() },
          color: { field: 'kernel', type: 'nominal', title: 'kernel', legend: { orient: 'bottom', columns: 2, labelLimit: 320 } },
          opacity: { condition: { param: 'pick', value: 1 }, value: 0.15 },
          tooltip: [{ field: 'kernel' }, { field: 'cols' }, { field: 'v', aggregate: 'max', title: overlayState.metricTitle(), format: fmt }],
        },
      }),
    },
    {
      id: 'bound', scope: 'kernel', title: 'Error against its bound vs cols',
      values: (k) => cellsOf(k.name).filter(positive('observed')),
      caption: (k) => 'At each cell\'s tightest output (largest error / bound), in ' + unitTitle[k.unit] +
        ': solid the observed error, dashed the bound at that output. ' +
        exactNote(cellsOf(k.name).filter((c) => !(c.observed > 0)).length, 'cells'),
      spec: (values, k) => ({
        width: 420, height: 260,
        data: { values },
        transform: [shownFilter],
        params: [shownParam()],
        encoding: {
          x: { field: 'cols', type: 'quantitative', scale: logScale, axis: logAxis, title: 'cols (log)' },
          color: familyColor,
        },
        layer: [
          {
            params: [zoom()],
            mark: { type: 'line', point: { filled: true, size: 36 }, strokeWidth: 1.5 },
            encoding: {
              shape: verdictShape,
              y: { field: 'observed', type: 'quantitative', scale: logScale, axis: logAxis, title: 'error at the tightest output (' + unitTitle[k.unit] + ')' },
              tooltip: cellTooltip(k.unit),
            },
          },
          {
            transform: [{ filter: 'datum.bound > 0' }],
            mark: { type: 'line', strokeDash: [5, 3], strokeWidth: 1, opacity: 0.8 },
            encoding: { y: { field: 'bound', type: 'quantitative' }, tooltip: cellTooltip(k.unit) },
          },
        ],
      }),
    },
    {
      id: 'cdf', scope: 'kernel', title: 'Distribution of the output errors (CDF)',
      values: (k) => errorCdf(k),
      caption: (k) => 'Per family, the fraction of its outputs whose error (' + unitTitle[k.unit] + ') is at most x, ' +
        'from power-of-two bins; where a curve starts above 0, that fraction of outputs is exact. Errors over ' +
        '2^' + kCdfBinades + ' times smaller than the kernel\'s largest (outputs that underflow to 0, say) are counted at the ' +
        'axis\' left end. ' +
        (k.exact_outputs ? k.exact_outputs + ' of ' + k.elements + ' outputs are exact.' : ''),
      spec: (values, k) => ({
        width: 420, height: 260,
        data: { values },
        params: [shownParam(), zoom(['x'])],
        transform: [shownFilter],
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'error', type: 'quantitative', scale: logScale, axis: logAxis, title: 'error at most (' + unitTitle[k.unit] + ', log)' },
          y: { field: 'fraction', type: 'quantitative', scale: { domain: [0, 1] }, title: 'fraction of outputs' },
          color: familyColor,
          tooltip: [{ field: 'family' }, { field: 'error', title: 'error at most', format: fmt },
            { field: 'fraction', title: 'fraction of outputs', format: '.4f' }, { field: 'outputs', title: 'outputs' }],
        },
      }),
    },
    {
      id: 'magnitude', scope: 'kernel', title: 'Max error vs logit magnitude',
      values: (k) => cellsOf(k.name).filter((c) => c.error > 0 && c.magnitude > 0),
      caption: (k) => 'Per cell: its largest error (' + unitTitle[k.unit] + ') against the mean over its rows of max |logit|. ' +
        exactNote(cellsOf(k.name).filter((c) => !(c.error > 0)).length, 'cells'),
      spec: (values, k) => scatter(values, k, 'magnitude', 'mean max |logit| (log)'),
    },
    {
      id: 'spread', scope: 'kernel', title: 'Max error vs logit spread',
      values: (k) => cellsOf(k.name).filter((c) => c.error > 0 && c.spread > 0),
      caption: (k) => 'Per cell: its largest error (' + unitTitle[k.unit] + ') against the mean over its rows of max - min of the logits ' +
        '(rows of one element have no spread and are not drawn). ' +
        exactNote(cellsOf(k.name).filter((c) => !(c.error > 0)).length, 'cells'),
      spec: (values, k) => scatter(values, k, 'spread', 'mean logit spread max - min (log)'),
    },
  ];

  // Cumulative fractions per family from the power-of-two bins: at x = 2^e, the outputs whose error
  // is at most 2^e, exact ones included.
  const kCdfBinades = 32;
  function errorCdf(k) {
    const points = [];
    const hists = data.histogram.filter((x) => x.kernel === k.name);
    const top = Math.max(...hists.map((h) => h.min_log2 + h.counts.length - 1));
    const floor = top - kCdfBinades;
    for (const h of hists) {
      const total = h.counts.reduce((n, c) => n + c, h.exact);
      let sum = h.exact, below = 0;
      h.counts.forEach((count, i) => {
        const e = h.min_log2 + i;
        sum += count;
        if (e < floor) { below += count; return; }
        if (count || below) points.push({ family: h.family, error: Math.pow(2, e), fraction: sum / total, outputs: count + below });
        below = 0;
      });
    }
    return points;
  }

  function scatter(values, k, xField, xTitle) {
    return {
      width: 420, height: 260,
      data: { values },
      params: [shownParam(), zoom()],
      transform: [shownFilter],
      mark: { type: 'point', filled: true, size: 30, opacity: 0.8 },
      encoding: {
        x: { field: xField, type: 'quantitative', scale: logScale, axis: logAxis, title: xTitle },
        y: { field: 'error', type: 'quantitative', scale: logScale, axis: logAxis, title: 'max error (' + unitTitle[k.unit] + ')' },
        color: familyColor, shape: verdictShape, tooltip: cellTooltip(k.unit),
      },
    };
  }

  // ---- the overlay's controls: which kernels, which measure ----
  const overlayState = {
    kernels: defaultOverlayKernels(),
    metric: 'tightness',
    metricTitle() {
      if (this.metric === 'tightness') return 'tightness = observed / bound (log)';
      return 'max error (' + unitTitle[this.unit()] + ', log)';
    },
    unit() {
      const units = new Set(this.kernels.map((n) => kernelsByName.get(n).unit));
      return units.size === 1 ? [...units][0] : null;
    },
  };
  // The kernels of the first kernel's op and dtype (the scalar, SIMD variants and a plugin of one
  // contract), at most 8.
  function defaultOverlayKernels() {
    if (!data.kernels.length) return [];
    const first = data.kernels[0];
    return data.kernels.filter((k) => k.op === first.op && k.dtype === first.dtype).slice(0, 8).map((k) => k.name);
  }
  function overlayValues() {
    const chosen = new Set(overlayState.kernels);
    const field = overlayState.metric === 'tightness' ? 'tightness' : 'error';
    return data.cells.filter((c) => chosen.has(c.kernel)).map((c) => ({ kernel: c.kernel, family: c.family, cols: c.cols, v: c[field] }));
  }
  function overlayControls(container, rerender) {
    const select = document.createElement('select');
    select.multiple = true;
    select.size = Math.min(8, Math.max(3, data.kernels.length));
    select.setAttribute('aria-label', 'kernels to overlay');
    for (const k of data.kernels) {
      const o = new Option(k.name + ' (' + k.op + ' ' + k.dtype + ')', k.name);
      o.selected = overlayState.kernels.includes(k.name);
      select.add(o);
    }
    const metric = document.createElement('select');
    metric.setAttribute('aria-label', 'measure');
    metric.add(new Option('tightness (observed / bound)', 'tightness'));
    metric.add(new Option('max error in the kernels\' own measure', 'error'));
    const sync = () => {
      overlayState.kernels = [...select.selectedOptions].map((o) => o.value);
      // Ulps and absolute errors on one axis would mislead: the error measure needs one unit.
      metric.options[1].disabled = overlayState.unit() === null;
      if (metric.options[1].disabled) metric.value = 'tightness';
      overlayState.metric = metric.value;
    };
    select.addEventListener('change', () => { sync(); rerender(); });
    metric.addEventListener('change', () => { sync(); rerender(); });
    sync();
    container.append(select, ' ', metric);
  }

  // ---- tooltips: a box with the cell's values, the reproduce command among them ----
  const tooltip = document.getElementById('tooltip');
  function showTooltip(handler, event, item, value) {
    if (value == null || value === '' || !event) { tooltip.hidden = true; return; }
    const table = document.createElement('table');
    const entries = typeof value === 'object' ? Object.entries(value) : [['', value]];
    for (const [key, v] of entries) {
      if (v === undefined || v === null || v === '' || v === 'null') continue;
      const row = table.insertRow();
      row.insertCell().textContent = key;
      const cell = row.insertCell();
      if (key === 'reproduce') {
        const code = document.createElement('code');
        code.textContent = v;
        cell.append(code);
      } else {
        cell.textContent = String(v);
      }
    }
    tooltip.replaceChildren(table);
    tooltip.hidden = false;
    const pad = 14;
    const w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    let x = event.clientX + pad, y = event.clientY + pad;
    if (x + w > window.innerWidth) x = Math.max(0, event.clientX - w - pad);
    if (y + h > window.innerHeight) y = Math.max(0, event.clientY - h - pad);
    tooltip.style.left = x + 'px';
    tooltip.style.top = y + 'px';
  }

  // ---- drawing ----
  const hiddenFamilies = new Set();
  const views = [];
  function chartBox(container, plot, title) {
    const box = document.createElement('div');
    box.className = 'chart';
    box.dataset.plot = plot.id;
    const h = document.createElement('h4');
    h.textContent = title;
    const caption = document.createElement('p');
    caption.className = 'caption';
    const controls = document.createElement('div');
    controls.className = 'controls';
    const vis = document.createElement('div');
    vis.className = 'vis';
    box.append(h, caption, controls, vis);
    container.append(box);
    return { box, caption, controls, vis };
  }

  async function draw(parts, plot, kernel) {
    const values = plot.values(kernel);
    parts.caption.textContent = plot.caption(kernel);
    parts.box.dataset.points = String(values.length);
    const old = views.findIndex((v) => v.box === parts.box);
    if (old >= 0) { views[old].view.finalize(); views.splice(old, 1); }
    parts.vis.replaceChildren();
    if (!values.length) {
      parts.box.dataset.state = 'empty';
      parts.vis.textContent = 'Nothing to draw: no cell has a non-zero value here.';
      return;
    }
    try {
      const spec = Object.assign({ config: { view: { stroke: '#ccc' }, axis: { labelFontSize: 10, titleFontSize: 11 } } }, plot.spec(values, kernel));
      const compiled = vegaLite.compile(spec).spec;
      const view = new vega.View(vega.parse(compiled), { renderer: 'svg', container: parts.vis, hover: true });
      view.tooltip(showTooltip);
      if (plot.onClick) view.addEventListener('click', (event, item) => plot.onClick(item));
      await view.runAsync();
      views.push({ box: parts.box, view });
      parts.box.dataset.state = 'rendered';
    } catch (e) {
      parts.box.dataset.state = 'error';
      console.error('chart ' + plot.id + (kernel ? ' of ' + kernel.name : '') + ': ' + (e && e.message ? e.message : e));
    }
  }

  function updateFamilies() {
    const shown = familyNames.filter((f) => !hiddenFamilies.has(f));
    for (const b of document.querySelectorAll('#family-legend button[data-family]'))
      b.classList.toggle('off', hiddenFamilies.has(b.dataset.family));
    for (const { view } of views) view.signal('shown', shown).runAsync();
  }
  function wireLegend() {
    for (const b of document.querySelectorAll('#family-legend button[data-family]')) {
      b.addEventListener('click', () => {
        const f = b.dataset.family;
        if (hiddenFamilies.has(f)) hiddenFamilies.delete(f); else hiddenFamilies.add(f);
        updateFamilies();
      });
      b.addEventListener('dblclick', () => {
        hiddenFamilies.clear();
        for (const f of familyNames) if (f !== b.dataset.family) hiddenFamilies.add(f);
        updateFamilies();
      });
    }
    document.getElementById('family-all').addEventListener('click', () => { hiddenFamilies.clear(); updateFamilies(); });
    const jump = document.getElementById('kernel-jump');
    jump.addEventListener('change', () => { if (jump.value) location.hash = jump.value; });
  }

  async function main() {
    wireLegend();
    const jobs = [];
    const summary = document.querySelector('.charts[data-scope="summary"]');
    for (const plot of PLOTS.filter((p) => p.scope === 'summary')) {
      const parts = chartBox(summary, plot, plot.title);
      if (plot.controls) plot.controls(parts.controls, () => draw(parts, plot, null));
      jobs.push({ box: parts.box, run: () => draw(parts, plot, null) });
    }
    for (const container of document.querySelectorAll('.charts[data-scope="kernel"]')) {
      const kernel = kernelsByName.get(container.dataset.kernel);
      for (const plot of PLOTS.filter((p) => p.scope === 'kernel')) {
        const parts = chartBox(container, plot, plot.title);
        jobs.push({ box: parts.box, run: () => draw(parts, plot, kernel) });
      }
    }
    // Every chart is drawn, one at a time and yielding between them so the page stays responsive;
    // the charts on screen (or about to be) go first, so a jump to a kernel shows its charts at once.
    const near = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        const i = jobs.findIndex((j) => j.box === e.target);
        if (i > 0) jobs.unshift(...jobs.splice(i, 1));
      }
    }, { rootMargin: '400px' });
    for (const job of jobs) near.observe(job.box);
    while (jobs.length) {
      const job = jobs.shift();
      near.unobserve(job.box);
      await job.run();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    near.disconnect();
    document.body.dataset.charts = 'done';
  }
  main().catch((e) => console.error('charts: ' + (e && e.message ? e.message : e)));
})();
