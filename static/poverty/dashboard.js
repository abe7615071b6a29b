// 挂图作战 charts: drawn from the page's own figures (#chart-data); every chart has its table.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  // Big-screen mode (a projector) reads from across the room: larger labels.
  var big = document.documentElement.classList.contains("screen");
  var font = { fontFamily: "WenQuanYi Micro Hei, Microsoft YaHei, sans-serif", fontSize: big ? 16 : 12 };
  var charts = [];

  function draw(id, option) {
    var node = document.getElementById(id);
    if (!node) return;
    var chart = echarts.init(node, null, { renderer: "svg" });
    chart.setOption(Object.assign({ textStyle: font, animation: false }, option));
    node.dataset.drawn = "true";
    charts.push(chart);
  }

  if (data.children.length) {
    draw("chart-children", {
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["累计脱贫(户)", "剩余贫困(户)"] },
      grid: { left: 48, right: 16, top: 36, bottom: 64 },
      xAxis: { type: "category", data: data.children.map(function (c) { return c.name; }), axisLabel: { rotate: 30 } },
      yAxis: { type: "value" },
      series: [
        { name: "累计脱贫(户)", type: "bar", stack: "h", itemStyle: { color: "#198754" },
          data: data.children.map(function (c) { return c.exited; }) },
        { name: "剩余贫困(户)", type: "bar", stack: "h", itemStyle: { color: "#dc3545" },
          data: data.children.map(function (c) {
            return { value: c.remaining, itemStyle: { color: c.state === "behind" ? "#dc3545" : "#ffc107" } };
          }) }
      ]
    });
  }
  if (data.causes.length) {
    draw("chart-causes", {
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "70%"], data: data.causes, label: { formatter: "{b} {c}户" } }]
    });
  }
  if (data.exits.length) {
    draw("chart-exits", {
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["计划脱贫(户)", "实际脱贫(户)"] },
      grid: { left: 48, right: 16, top: 36, bottom: 32 },
      xAxis: { type: "category", data: data.exits.map(function (e) { return String(e.year); }) },
      yAxis: { type: "value" },
      series: [
        { name: "计划脱贫(户)", type: "line", itemStyle: { color: "#dc3545" },
          data: data.exits.map(function (e) { return e.planned; }) },
        { name: "实际脱贫(户)", type: "bar", itemStyle: { color: "#198754" },
          data: data.exits.map(function (e) { return e.done; }) }
      ]
    });
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
