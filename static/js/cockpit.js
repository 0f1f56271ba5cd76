// The cockpit (驾驶舱): ECharts charts drawn from the figures of the page
// (<script id="cockpit-data" type="application/json">, from json_script: the CSP forbids
// inline scripts). Every segment, bar, point and cell opens the list of rows behind it.
// The figures fragment is refetched by htmx every few minutes; the charts are then updated
// in place with setOption (no reload, no flicker).
(function () {
  "use strict";

  const LEVEL_COLOURS = { red: "#c8102e", yellow: "#e0a800", upcoming: "#6c757d" };
  const charts = {};

  function readFigures() {
    const el = document.getElementById("cockpit-data");
    return el ? JSON.parse(el.textContent) : null;
  }

  function go(url) {
    if (url) window.location.assign(url);
  }

  function chart(id) {
    if (charts[id]) return charts[id];
    const el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    // SVG: crisp when printed, and each segment is an element of the page.
    charts[id] = window.echarts.init(el, null, { renderer: "svg" });
    // Marks the chart drawn, animations over (what a browser test waits for).
    charts[id].on("finished", () => { el.dataset.rendered = "1"; });
    charts[id].on("click", (params) => {
      const data = params.data || {};
      if (data.url) go(data.url);
    });
    return charts[id];
  }

  function levels(f) {
    const c = chart("chart-levels");
    if (!c) return;
    c.setOption({
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      series: [{
        type: "pie", radius: ["30%", "55%"], avoidLabelOverlap: true,
        label: { formatter: "{b}\n{c}", overflow: "none" },
        data: f.warnings.by_level.map((l) => ({
          name: l.label, value: l.count, url: l.url, level: l.level,
          itemStyle: { color: LEVEL_COLOURS[l.level] },
        })),
      }],
    }, true);
  }

  function rules(f) {
    const c = chart("chart-rules");
    if (!c) return;
    const rows = f.warnings.by_rule.slice(0, 12).reverse();
    c.setOption({
      tooltip: { trigger: "item" },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rows.map((r) => r.title),
               axisLabel: { width: 180, overflow: "truncate" } },
      series: [{
        type: "bar", label: { show: true, position: "right" },
        data: rows.map((r) => ({ value: r.count, url: r.url,
                                 itemStyle: { color: LEVEL_COLOURS[r.level] } })),
      }],
    }, true);
  }

  function grid(f) {
    const c = chart("chart-grid");
    if (!c) return;
    const indicators = f.grid.indicators.filter((i) => i.better);
    const keys = indicators.map((i) => i.key);
    const rows = f.grid.rows.slice().reverse();
    const data = [];
    rows.forEach((row, y) => {
      row.cells.forEach((cell) => {
        const x = keys.indexOf(cell.key);
        if (x < 0) return;
        data.push({
          value: [x, y, cell.score === null ? "-" : cell.score],
          display: cell.value === null ? "—" : cell.value, url: row.organization.url,
        });
      });
    });
    const members = (row) => (row.cells.find((c) => c.key === "members") || {}).value || 0;
    const el = document.getElementById("chart-grid");
    const narrow = el.clientWidth < 600;  // a phone: slanted column names
    el.style.height = Math.max(160, (narrow ? 110 : 60) + rows.length * 30) + "px";
    c.resize();
    c.setOption({
      // ECharts puts a formatter's string into the page as HTML: escape what users typed.
      tooltip: { formatter: (p) => {
        const enc = window.echarts.format.encodeHTML;
        return `${enc(rows[p.value[1]].organization.name)}<br>` +
          `${enc(indicators[p.value[0]].label)}: ${enc(String(p.data.display))}`;
      } },
      grid: { left: 8, right: 8, top: narrow ? 8 : 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", position: "top", data: indicators.map((i) => i.label),
               axisLabel: narrow ? { interval: 0, rotate: 45, fontSize: 10 }
                 : { interval: 0, width: 90, overflow: "break" },
               splitArea: { show: true } },
      yAxis: { type: "category", data: rows.map((r) => `${r.organization.name} (${members(r)})`),
               triggerEvent: true,
               axisLabel: { width: narrow ? 90 : 200, overflow: "truncate",
                            fontSize: narrow ? 10 : 12 } },
      visualMap: { show: false, min: 0, max: 1, dimension: 2,
                   inRange: { color: ["#d73027", "#fee08b", "#1a9850"] } },
      series: [{ type: "heatmap", data: data,
                 label: { show: true, formatter: (p) => String(p.data.display) } }],
    }, true);
    c.off("click");
    c.on("click", (params) => {
      if (params.componentType === "yAxis") {
        const row = rows[params.dataIndex !== undefined ? params.dataIndex
          : rows.findIndex((r) => `${r.organization.name} (${members(r)})` === params.value)];
        if (row) go(row.organization.url);
      } else if (params.data && params.data.url) {
        go(params.data.url);
      }
    });
  }

  function series(f, key) {
    return f.trends.series.find((s) => s.key === key);
  }

  function points(s) {
    return s.values.map((v, i) => ({ value: v === null ? "-" : v, url: s.urls[i] }));
  }

  function activity(f) {
    const c = chart("chart-activity");
    if (!c) return;
    const opened = series(f, "warnings_opened");
    const resolved = series(f, "warnings_resolved");
    const held = series(f, "meetings_held");
    c.setOption({
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 8, right: 8, top: 12, bottom: 32, containLabel: true },
      xAxis: { type: "category", data: f.trends.months },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", minInterval: 1 }],
      series: [
        { name: held.label, type: "bar", yAxisIndex: 1, itemStyle: { color: "#9ec5fe" },
          data: points(held) },
        { name: opened.label, type: "line", itemStyle: { color: LEVEL_COLOURS.red },
          data: points(opened) },
        { name: resolved.label, type: "line", itemStyle: { color: "#198754" },
          data: points(resolved) },
      ],
    }, true);
  }

  function duesStudy(f) {
    const c = chart("chart-dues-study");
    if (!c) return;
    const dues = series(f, "dues_rate");
    const study = series(f, "study_hours");
    c.setOption({
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 8, right: 8, top: 12, bottom: 32, containLabel: true },
      xAxis: { type: "category", data: f.trends.months },
      yAxis: [{ type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
              { type: "value" }],
      series: [
        { name: study.label, type: "bar", yAxisIndex: 1, itemStyle: { color: "#ffe69c" },
          data: points(study) },
        { name: dues.label, type: "line", itemStyle: { color: "#c8102e" },
          data: points(dues) },
      ],
    }, true);
  }

  function kinds(f) {
    const c = chart("chart-kinds");
    if (!c) return;
    const rows = f.organizations.by_kind.slice().reverse();
    c.setOption({
      tooltip: { trigger: "item" },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rows.map((k) => k.label) },
      series: [{ type: "bar", label: { show: true, position: "right" },
                 itemStyle: { color: "#c8102e" },
                 data: rows.map((k) => ({ value: k.count, url: k.url })) }],
    }, true);
  }

  function draw() {
    const f = readFigures();
    if (!f) return;
    [levels, rules, grid, activity, duesStudy, kinds].forEach((fn) => fn(f));
    document.documentElement.dataset.cockpitReady = f.as_of;
  }

  document.addEventListener("DOMContentLoaded", () => {
    draw();
    window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
    // Before printing, size the charts to the printed width.
    window.addEventListener("beforeprint", () => Object.values(charts).forEach((c) => c.resize()));
    // The refreshed fragment brings new figures: redraw from them.
    document.body.addEventListener("htmx:afterSettle", () => {
      if (document.getElementById("cockpit-data")) draw();
    });
  });
})();
