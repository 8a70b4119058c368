// What the page's charts share: building SVG elements and a round axis maximum. Loaded before
// usage.js, latency.js and planning.js, which take these from window.usageCharts.
'use strict';

window.usageCharts = (function () {
  const SVG = 'http://www.w3.org/2000/svg';

  /** An SVG element with the given attributes, appended to parent when one is given. */
  function el(name, attrs, parent) {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (parent) parent.appendChild(e);
    return e;
  }

  /** A round upper bound for an axis: 1, 2, 2.5 or 5 times a power of ten (1000 for nothing). */
  function niceMax(v) {
    if (v <= 0) return 1000;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  return { SVG, el, niceMax };
})();
