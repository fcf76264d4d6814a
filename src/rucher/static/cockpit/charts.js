// Draws the cockpit's charts from their JSON data blocks (cockpit/charts.py), so that the page
// needs no inline script under the Content-Security-Policy.
(function () {
  "use strict";
  // plotly.js adds a style element per chart for its hover rules; one created without the
  // page's nonce is refused by the policy, so the style elements created from here on carry
  // the nonce this script was loaded with (the template gives it; scripts can read it).
  var nonce = document.currentScript && document.currentScript.nonce;
  if (nonce) {
    var create = document.createElement.bind(document);
    document.createElement = function (name, options) {
      var element = create(name, options);
      if (String(name).toLowerCase() === "style") { element.nonce = nonce; }
      return element;
    };
  }
  // In the dark theme the figures take the page's colours (rucher.css's tokens): plotly's own
  // white paper and black text would glare. Printing keeps them as they are (paper is white).
  function themed(layout) {
    if (!window.matchMedia || !window.matchMedia("(prefers-color-scheme: dark)").matches) {
      return layout;
    }
    var style = getComputedStyle(document.documentElement);
    var ink = style.getPropertyValue("--ink").trim() || "#e6e8eb";
    var line = style.getPropertyValue("--line").trim() || "#30353c";
    layout = layout || {};
    layout.paper_bgcolor = "rgba(0,0,0,0)";
    layout.plot_bgcolor = "rgba(0,0,0,0)";
    layout.font = Object.assign({}, layout.font, { color: ink });
    Object.keys(layout).forEach(function (key) {
      if (/^[xy]axis\d*$/.test(key)) {
        layout[key] = Object.assign({ gridcolor: line, zerolinecolor: line, linecolor: line }, layout[key]);
      }
    });
    if (!layout.xaxis) { layout.xaxis = { gridcolor: line, zerolinecolor: line }; }
    if (!layout.yaxis) { layout.yaxis = { gridcolor: line, zerolinecolor: line }; }
    return layout;
  }
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll("script.plotly-figure").forEach(function (block) {
      var target = document.getElementById(block.dataset.target);
      if (!target || target.dataset.drawn) { return; }
      var figure = JSON.parse(block.textContent);
      target.dataset.drawn = "1";
      Plotly.newPlot(target, figure.data, themed(figure.layout), figure.config);
    });
  }
  // "Print or save as PDF": the browser's print dialog (the print stylesheet lays it out).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) { window.print(); }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
