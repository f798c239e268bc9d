// Draws the analysis pages' charts from the JSON in #chart-data with Plotly (served by the app).
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Plotly === "undefined") return;
  var data = JSON.parse(source.textContent);
  var palette = ["#2f5fd0", "#2e9e5b", "#d9a21b", "#d64545", "#7b52c7", "#1f9bb0", "#b35a2a", "#5f6b7f"];
  var colors = { red: "#d64545", green: "#2e9e5b", accent: "#2f5fd0", muted: "#9aa1b0" };
  var config = { displayModeBar: false, responsive: true };
  function layout(extra) {
    return Object.assign({
      margin: { l: 48, r: 12, t: 8, b: 40 }, font: { size: 12, color: "#1d2330" },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", showlegend: true,
      legend: { orientation: "h", y: -0.2 }, xaxis: { gridcolor: "#eef0f4" }, yaxis: { gridcolor: "#eef0f4" }
    }, extra || {});
  }
  function draw(id, traces, extra) {
    var el = document.getElementById(id);
    if (el) Plotly.newPlot(el, traces, layout(extra), config);
  }
  function money(v) {
    return v >= 1e6 ? "$" + (v / 1e6).toFixed(1) + "M" : v >= 1e4 ? "$" + Math.round(v / 1e3) + "k"
      : "$" + Math.round(v).toLocaleString();
  }
  function pick(rows, key) { return rows.map(function (r) { return r[key]; }); }
  function rgba(hex, alpha) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function heatmap(id, m, sizeLabel) {
    var top = Math.max.apply(null, [1].concat(m.z.map(function (row) {
      return Math.max.apply(null, row.map(function (v) { return v === null ? 0 : v; }));
    })));
    var labels = m.y.map(function (c, i) {
      var s = m.sizes[i];
      return c + " (" + (s === null ? "–" : Math.round(s).toLocaleString()) + ")";
    });
    draw(id, [{ type: "heatmap", x: m.x, y: labels, z: m.z, zmin: 0, zmax: top, xgap: 2, ygap: 2,
      colorscale: [[0, "#fdecec"], [0.5 / top, "#f6e7b8"], [1 / top, "#2e9e5b"], [1, "#1b6b3c"]],
      texttemplate: "%{z:.0%}", hovertemplate: "cohort %{y}<br>month %{x}: %{z:.1%}<extra></extra>",
      colorbar: { tickformat: ".0%", thickness: 12 } }],
    { showlegend: false, margin: { l: 130, r: 12, t: 8, b: 44 },
      xaxis: { title: { text: "months since start" }, dtick: 1, side: "bottom" },
      yaxis: { autorange: "reversed", title: { text: "start month (" + sizeLabel + ")" } } });
  }
  if (data.logo) heatmap("chart-logo", data.logo, "accounts");
  if (data.revenue) heatmap("chart-revenue", data.revenue, "MRR");

  if (data.survival) {
    var traces = [];
    data.survival.forEach(function (c, i) {
      var color = palette[i % palette.length];
      traces.push({ x: c.months, y: c.upper, type: "scatter", mode: "lines", line: { width: 0, shape: "hv" },
        hoverinfo: "skip", showlegend: false, legendgroup: c.group });
      traces.push({ x: c.months, y: c.lower, type: "scatter", mode: "lines", line: { width: 0, shape: "hv" },
        fill: "tonexty", fillcolor: rgba(color, 0.15), hoverinfo: "skip", showlegend: false, legendgroup: c.group });
      traces.push({ x: c.months, y: c.survival, type: "scatter", mode: "lines", name: c.group,
        legendgroup: c.group, line: { color: color, width: 2, shape: "hv" },
        hovertemplate: c.group + ": %{y:.1%} at %{x:.1f} months<extra></extra>" });
    });
    draw("chart-survival", traces, { yaxis: { range: [0, 1.02], tickformat: ".0%", gridcolor: "#eef0f4",
      title: { text: "still a customer" } }, xaxis: { title: { text: "months since start" }, gridcolor: "#eef0f4" } });
  }

  Object.keys(data).filter(function (k) { return k.indexOf("rates-") === 0; }).forEach(function (key) {
    var d = data[key], g = d.groups;
    var shapes = d.overall === null ? [] : [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: d.overall, y1: d.overall,
      line: { color: colors.muted, dash: "dash", width: 1 } }];
    draw("chart-" + key, [{ type: "bar", x: pick(g, "group"), y: pick(g, "rate"), name: "churn rate",
      marker: { color: g.map(function (r) {
        return r.direction === "higher" ? colors.red : r.direction === "lower" ? colors.green : colors.accent; }) },
      error_y: { type: "data", symmetric: false, color: "#5f6b7f", thickness: 1.2,
        array: g.map(function (r) { return r.ci_high - r.rate; }),
        arrayminus: g.map(function (r) { return r.rate - r.ci_low; }) },
      hovertemplate: "%{x}: %{y:.1%}<extra></extra>" }],
    { showlegend: false, shapes: shapes, yaxis: { tickformat: ".0%", rangemode: "tozero", gridcolor: "#eef0f4" },
      xaxis: { automargin: true, type: "category" }, margin: { l: 48, r: 12, t: 8, b: 40 } });
  });

  if (data.reasons) {
    var r = data.reasons;
    draw("chart-reasons", r.series.map(function (s, i) {
      return { type: "bar", x: r.months, y: s.mrr_lost, name: s.reason.replace(/_/g, " "),
        marker: { color: palette[i % palette.length] },
        hovertemplate: s.reason.replace(/_/g, " ") + ": $%{y:,.0f}<extra></extra>" };
    }), { barmode: "stack", yaxis: { title: { text: "MRR lost" }, tickprefix: "$", gridcolor: "#eef0f4" },
      xaxis: { type: "category" } });
  }

  if (data.pyramid) {
    var tiers = data.pyramid.slice().sort(function (a, b) { return a.rank - b.rank; });
    draw("chart-pyramid", [{ type: "funnel", y: pick(tiers, "tier"), x: pick(tiers, "accounts"),
      text: tiers.map(function (t) { return money(t.arr) + " ARR"; }),
      textinfo: "value+text", marker: { color: tiers.map(function (t, i) { return palette[i % palette.length]; }) },
      connector: { fillcolor: "#e9ecf2", line: { width: 0 } } }],
    { showlegend: false, margin: { l: 100, r: 12, t: 8, b: 12 } });
  }
  if (data.behaviour) {
    draw("chart-behaviour", [{ type: "bar", x: pick(data.behaviour, "segment").map(function (s) { return s.replace(/_/g, " "); }),
      y: pick(data.behaviour, "accounts"), marker: { color: colors.accent }, name: "accounts",
      hovertemplate: "%{x}: %{y} accounts<extra></extra>" }],
    { showlegend: false, margin: { l: 40, r: 12, t: 8, b: 64 } });
  }
})();
