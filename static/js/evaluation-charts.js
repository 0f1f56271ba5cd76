/* Evaluation charts (issue 6): index distributions and the star map, with Apache ECharts
   (vendored). Data come from json_script elements; each bar or cell drills down to its
   list (the URL is in the data). No inline scripts (CSP). */
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function go(url) {
    if (url) { window.location.assign(url); }
  }

  function distributions(charts, labels) {
    charts.forEach(function (chart) {
      var el = document.getElementById(chart.id);
      if (!el) { return; }
      var c = window.echarts.init(el);
      c.setOption({
        tooltip: { trigger: "axis" },
        grid: { left: 40, right: 10, top: 10, bottom: 40 },
        xAxis: { type: "category", name: labels.points, nameLocation: "middle", nameGap: 28,
                 data: chart.bars.map(function (b) { return b.label; }) },
        yAxis: { type: "value", name: labels.members, minInterval: 1 },
        series: [{ type: "bar", itemStyle: { color: "#b71c1c" }, cursor: "pointer",
                   data: chart.bars.map(function (b) { return b.count; }) }]
      });
      c.on("click", function (p) { go(chart.bars[p.dataIndex].url); });
      // Marks the chart drawn, animations over (what a browser test waits for).
      c.on("finished", function () { el.dataset.rendered = "1"; });
      window.addEventListener("resize", function () { c.resize(); });
    });
  }

  function starMap(grid, labels) {
    var el = document.getElementById("star-map");
    if (!el) { return; }
    var max = grid.cells.reduce(function (m, cell) { return Math.max(m, cell.count); }, 1);
    var c = window.echarts.init(el);
    c.setOption({
      tooltip: { position: "top" },
      grid: { left: 120, right: 20, top: 10, bottom: 60 },
      xAxis: { type: "category", name: labels.stars, data: grid.stars.map(function (s) { return s + "★"; }) },
      yAxis: { type: "category", data: grid.streets, inverse: true },
      visualMap: { min: 0, max: max, calculable: true, orient: "horizontal", left: "center",
                   bottom: 0, inRange: { color: ["#fff5f5", "#b71c1c"] } },
      series: [{ type: "heatmap", name: labels.organizations, cursor: "pointer",
                 label: { show: true },
                 data: grid.cells.map(function (cell) { return [cell.x, cell.y, cell.count]; }) }]
    });
    c.on("click", function (p) {
      var cell = grid.cells[p.dataIndex];
      if (cell && cell.count) { go(cell.url); }
    });
    window.addEventListener("resize", function () { c.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    var labels = data("chart-labels") || {};
    var charts = data("distribution-data");
    if (charts) { distributions(charts, labels); }
    var grid = data("star-map-data");
    if (grid) { starMap(grid, labels); }
  });
}());
