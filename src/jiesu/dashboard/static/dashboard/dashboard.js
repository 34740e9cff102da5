// The dashboard's charts (ECharts, served by jiesu): each is drawn from the JSON block the
// server put beside it, and a click on a bar or point opens the case list behind it. The
// panel is replaced by HTMX at every poll; its charts are drawn again then.
(function () {
  "use strict";
  var drawn = [];

  function dark() { return document.body.classList.contains("screen"); }

  function option(data) {
    var horizontal = data.kind === "hbar", text = dark() ? "#d6e2ff" : "#333";
    var categoryAxis = {
      type: "category",
      data: data.labels,
      inverse: horizontal,
      axisLabel: {color: text, fontSize: dark() ? 16 : 12, interval: horizontal ? 0 : "auto"},
    };
    var valueAxis = {
      type: "value",
      minInterval: 1,
      axisLabel: {color: text, fontSize: dark() ? 14 : 11},
      splitLine: {lineStyle: {color: dark() ? "#24345a" : "#eee"}},
    };
    return {
      animation: false,
      grid: {left: horizontal ? 8 : 36, right: 16, top: data.series.length > 1 ? 28 : 12, bottom: 8, containLabel: true},
      // drawn by ECharts itself: an HTML tooltip writes style attributes, which the CSP refuses
      tooltip: {trigger: "axis", renderMode: "richText"},
      legend: data.series.length > 1 ? {top: 0, textStyle: {color: text}} : undefined,
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: data.series.map(function (s) {
        var colours = Array.isArray(s.colour) ? s.colour : null;
        return {
          name: s.name,
          type: data.kind === "line" ? "line" : "bar",
          cursor: "pointer",
          barMaxWidth: 36,
          label: {show: data.kind !== "line", position: horizontal ? "right" : "top", color: text},
          itemStyle: {color: colours ? function (p) { return colours[p.dataIndex]; } : s.colour},
          data: s.values.map(function (v, i) { return {value: v, url: s.urls[i]}; }),
        };
      }),
    };
  }

  function drawAll() {
    if (!window.echarts) return;
    drawn.forEach(function (chart) { chart.dispose(); });
    drawn = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var chart = window.echarts.init(el, null, {renderer: "svg"});
      chart.setOption(option(JSON.parse(source.textContent)));
      chart.on("click", function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
      drawn.push(chart);
    });
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "dashboard") drawAll();
  });
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
})();
