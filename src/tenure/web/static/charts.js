// Draws the page's charts from the JSON in #chart-data with Plotly (served by the app).
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Plotly === "undefined") return;
  var data = JSON.parse(source.textContent);
  var colors = { red: "#d64545", yellow: "#d9a21b", green: "#2e9e5b", accent: "#2f5fd0", muted: "#9aa1b0" };
  var layout = function (extra) {
    return Object.assign({
      margin: { l: 40, r: 12, t: 8, b: 32 }, font: { size: 12, color: "#1d2330" },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", showlegend: true,
      legend: { orientation: "h", y: -0.18 }, xaxis: { gridcolor: "#eef0f4" }, yaxis: { gridcolor: "#eef0f4" }
    }, extra || {});
  };
  var config = { displayModeBar: false, responsive: true };
  function draw(id, traces, extra) {
    var el = document.getElementById(id);
    if (el) Plotly.newPlot(el, traces, layout(extra), config);
  }
  function pick(rows, key) { return rows.map(function (r) { return r[key]; }); }

  if (data.trend) {
    var days = pick(data.trend, "day");
    draw("chart-trend", ["red", "yellow", "green"].map(function (band) {
      return { x: days, y: data.trend.map(function (r) { return r[band] || 0; }), name: band,
        type: "bar", marker: { color: colors[band] } };
    }), { barmode: "stack" });
  }
  if (data.histogram) {
    draw("chart-histogram", [{ x: data.histogram, type: "histogram", xbins: { start: 0, end: 100, size: 5 },
      marker: { color: colors.accent }, name: "accounts" }],
      { showlegend: false, xaxis: { title: { text: "health score" }, range: [0, 100] }, bargap: 0.05 });
  }
  if (data.funnel) {
    var names = pick(data.funnel, "milestone").reverse();
    var part = function (key, name, color) {
      return { y: names, x: pick(data.funnel, key).reverse(), name: name, type: "bar",
        orientation: "h", marker: { color: color } };
    };
    draw("chart-funnel", [part("achieved", "achieved", colors.green),
      part("in_progress", "in progress", colors.accent), part("missed", "missed", colors.red)],
      { barmode: "stack", margin: { l: 210, r: 12, t: 8, b: 32 } });
  }
  if (data.history) {
    var hd = pick(data.history, "day");
    draw("chart-history", [
      { x: hd, y: pick(data.history, "score"), name: "health", type: "scatter", mode: "lines",
        line: { color: colors.accent, width: 2 } },
      { x: hd, y: pick(data.history, "engagement"), name: "engagement", type: "scatter",
        mode: "lines", line: { color: colors.muted, width: 1, dash: "dot" } }
    ], { yaxis: { range: [0, 100], gridcolor: "#eef0f4" } });
  }
  if (data.usage && data.usage.length) {
    draw("chart-usage", [
      { x: pick(data.usage, "week"), y: pick(data.usage, "events"), name: "events", type: "bar",
        marker: { color: colors.accent } },
      { x: pick(data.usage, "week"), y: pick(data.usage, "days"), name: "active days", yaxis: "y2",
        type: "scatter", mode: "lines+markers", line: { color: colors.green } }
    ], { margin: { l: 40, r: 36, t: 8, b: 32 },
      yaxis2: { overlaying: "y", side: "right", range: [0, 7.5], showgrid: false, dtick: 1 } });
  }
})();
