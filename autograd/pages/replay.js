// The training replay page: the decision boundary at sampled steps, with the loss and accuracy
// curves. Plain script, no library; the data block is made by autograd/pages/replay.py.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const BOUNDARY = "#000000";   // the boundary line (as plot_decision_boundary draws it)

  function hex(colour) {
    const n = parseInt(colour.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }

  function el(name, attrs, parent) {
    const e = document.createElementNS(SVG, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    parent.appendChild(e);
    return e;
  }

  // One curve (loss or accuracy) against the step, with a marker line that moves.
  function curve(svg, xs, ys, label, percent) {
    const W = 420, H = 170, left = 48, right = 10, top = 22, bottom = 26;
    const pts = xs.map((x, i) => [x, ys[i]]).filter((p) => p[1] !== null);
    const values = pts.map((p) => p[1]);
    if (!values.length) {
      el("text", { x: left, y: 14, class: "curve-title" }, svg).textContent = label;
      el("text", { x: W / 2, y: H / 2, class: "empty" }, svg).textContent = "no training steps";
      return () => {};
    }
    let lo = Math.min(...values), hi = Math.max(...values);
    const log = !percent && lo > 0 && hi / lo > 50;   // as plot_history: losses fall by decades
    const f = (v) => (log ? Math.log10(v) : v);
    if (percent) { lo = 0; hi = 1; }
    if (hi === lo) { hi = lo + 1; }
    const xmax = Math.max(1, xs.length ? xs[xs.length - 1] + 1 : 1);
    const X = (x) => left + (x / xmax) * (W - left - right);
    const Y = (v) => top + (1 - (f(v) - f(lo)) / (f(hi) - f(lo))) * (H - top - bottom);
    el("text", { x: left, y: 14, class: "curve-title" }, svg).textContent =
      label + (log ? " (log scale)" : "");
    el("rect", { x: left, y: top, width: W - left - right, height: H - top - bottom, class: "frame" }, svg);
    const fmt = (v) => (percent ? Math.round(v * 100) + "%" : Number(v.toPrecision(3)).toString());
    el("text", { x: left - 4, y: top + 10, class: "tick end" }, svg).textContent = fmt(hi);
    el("text", { x: left - 4, y: H - bottom, class: "tick end" }, svg).textContent = fmt(lo);
    el("text", { x: left, y: H - 8, class: "tick" }, svg).textContent = "0";
    el("text", { x: W - right, y: H - 8, class: "tick end" }, svg).textContent = "step " + xmax;
    el("polyline", {
      points: pts.map((p) => X(p[0]).toFixed(1) + "," + Y(p[1]).toFixed(1)).join(" "),
      class: "line",
    }, svg);
    const marker = el("line", { y1: top, y2: H - bottom, class: "marker" }, svg);
    return (step) => {
      marker.setAttribute("x1", X(step));
      marker.setAttribute("x2", X(step));
    };
  }

  function setup(box) {
    const data = JSON.parse(box.querySelector("script.page-data").textContent);
    const frames = data.frames;
    const n = data.resolution;
    const canvas = box.querySelector("canvas.boundary");
    const ctx = canvas.getContext("2d");
    const slider = box.querySelector(".slider");
    const info = box.querySelector(".frame-info");
    const colours = data.colours.map(hex);
    const [x0, y0, x1, y1] = data.extent;
    const W = canvas.width, H = canvas.height;
    // A point of the plane on the canvas. The field's n × n values sit at the centres of its
    // pixels once scaled up, so the extent runs from half a pixel in to half a pixel in.
    const place = (a, b) => [
      ((a - x0) / (x1 - x0)) * (W - W / n) + W / (2 * n),
      H - (((b - y0) / (y1 - y0)) * (H - H / n) + H / (2 * n)),
    ];

    // Each frame is decoded once into a small n × n picture, then scaled up smoothly.
    const small = document.createElement("canvas");
    small.width = n;
    small.height = n;
    const sctx = small.getContext("2d");
    const pictures = frames.map((frame) => {
      const bytes = Uint8Array.from(atob(frame.grid), (c) => c.charCodeAt(0));
      const image = sctx.createImageData(n, n);
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) {
          const cell = r * n + c;                      // row r is the r-th y value, bottom up
          const pixel = ((n - 1 - r) * n + c) * 4;     // the canvas counts rows top down
          const rgb = colours[bytes[cell] % colours.length];
          const a = 0.12 + 0.5 * (bytes[n * n + cell] / 255);
          image.data[pixel] = Math.round(255 + (rgb[0] - 255) * a);
          image.data[pixel + 1] = Math.round(255 + (rgb[1] - 255) * a);
          image.data[pixel + 2] = Math.round(255 + (rgb[2] - 255) * a);
          image.data[pixel + 3] = 255;
        }
      }
      return image;
    });

    const markLoss = curve(box.querySelector("svg.loss"), data.curves.step, data.curves.loss, "training loss (batch)", false);
    const markAcc = curve(box.querySelector("svg.accuracy"), data.curves.step, data.curves.accuracy, "training accuracy (batch)", true);

    for (const [kind, entries] of [["settings", data.settings], ["results", data.results]]) {
      const table = box.querySelector("table." + kind);
      for (const key in entries) {
        const row = table.insertRow();
        row.insertCell().textContent = key;
        row.insertCell().textContent = entries[key];
      }
      if (!Object.keys(entries).length) table.remove();
    }

    let current = 0;

    function show(i) {
      current = Math.max(0, Math.min(frames.length - 1, i));
      const frame = frames[current];
      sctx.putImageData(pictures[current], 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
      // The boundary, where the score is 0 (or the two highest scores tie), as found on a fine grid.
      ctx.lineWidth = 2;
      ctx.lineJoin = "round";
      ctx.strokeStyle = BOUNDARY;
      for (const line of frame.lines) {
        ctx.beginPath();
        for (let k = 0; k < line.length; k += 2) {
          const [px, py] = place(line[k], line[k + 1]);
          if (k === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
        }
        ctx.stroke();
      }
      data.points.forEach(([a, b], k) => {
        const [px, py] = place(a, b);
        ctx.beginPath();
        ctx.arc(px, py, 4, 0, 2 * Math.PI);
        ctx.fillStyle = data.colours[data.labels[k] % data.colours.length];
        ctx.fill();
        ctx.lineWidth = 1;
        ctx.strokeStyle = "#111827";
        ctx.stroke();
      });
      const steps = data.curves.step;
      const total = steps.length ? steps[steps.length - 1] + 1 : 0;
      let text = "frame " + (current + 1) + " / " + frames.length + " · after " + frame.step +
        " of " + data.results.steps + " steps";
      const at = steps.indexOf(frame.step);
      if (at >= 0 && data.curves.loss[at] !== null) {
        text += " · batch loss " + Number(data.curves.loss[at].toPrecision(4)) +
          " · batch accuracy " + Math.round(100 * data.curves.accuracy[at]) + "%";
      }
      info.textContent = text;
      markLoss(Math.min(frame.step, total));
      markAcc(Math.min(frame.step, total));
      slider.value = String(current);
      box.querySelector(".prev").disabled = current === 0;
      box.querySelector(".next").disabled = current === frames.length - 1;
    }

    const key = pageControls(box, frames.length, show, () => current, 250);
    show(0);
    return key;
  }

  routeKeys(".replay", setup);
})();
