// The explorer page: step through the forward and the backward pass on a Graphviz diagram.
// Plain script, no library. Each .explorer element on the page reads its own JSON block of
// steps (made by autograd/pages/explorer.py) and its own SVG, so two explorers never mix.
(function () {
  "use strict";

  function setup(box) {
    const steps = JSON.parse(box.querySelector("script.page-data").textContent).steps;
    const svg = box.querySelector(".diagram svg");
    const slider = box.querySelector(".slider");
    const counter = box.querySelector(".counter");
    const title = box.querySelector(".step-title");
    const text = box.querySelector(".step-text");

    // The "data ..." and "grad ..." lines of every box, with the text Graphviz drew.
    const fields = {};
    const nodes = {};
    for (const g of svg.querySelectorAll("g.node")) {
      nodes[g.dataset.id] = g;
      const entry = {};
      for (const t of g.querySelectorAll("text")) {
        const m = /^(data|grad)\b/.exec(t.textContent);
        if (m && !entry[m[1]]) entry[m[1]] = { el: t, drawn: t.textContent };
      }
      fields[g.dataset.id] = entry;
    }
    // Edges by their Graphviz title, "tail->head".
    const edges = [];
    for (const g of svg.querySelectorAll("g.edge")) {
      const parts = g.querySelector("title").textContent.split("->");
      // An edge's label: its texts, and the line Graphviz draws from them to the edge.
      const labels = g.querySelectorAll("text, polyline");
      edges.push({ g: g, tail: parts[0], head: parts[1], labels: labels });
    }

    let current = 0;

    function show(s) {
      current = Math.max(0, Math.min(steps.length - 1, s));
      // Start from nothing computed, then replay the steps up to the current one.
      for (const id in fields) {
        for (const name of ["data", "grad"]) {
          const f = fields[id][name];
          if (f) {
            f.el.textContent = name + " ?";
            f.el.classList.add("unknown");
            f.el.classList.remove("fresh");
          }
        }
      }
      const revealed = new Set();
      for (let k = 0; k <= current; k++) {
        for (const [id, name, value] of steps[k].set) {
          const f = fields[id] && fields[id][name];
          if (!f) continue;
          f.el.textContent = value === null ? f.drawn : value;
          f.el.classList.remove("unknown");
          f.el.classList.toggle("fresh", k === current);
        }
        for (const [tail, head] of steps[k].reveal) revealed.add(tail + "->" + head);
      }
      const step = steps[current];
      const focus = new Set();
      for (const id of step.focus) {
        focus.add(id);
        focus.add(id + "op");
      }
      for (const id in nodes) nodes[id].classList.toggle("focus", focus.has(id));
      for (const e of edges) {
        const lit = step.edges.some(
          ([tail, head]) => (tail === "*" || tail === e.tail) && head === e.head
        );
        e.g.classList.toggle("focus", lit);
        const visible = revealed.has(e.tail + "->" + e.head);
        for (const t of e.labels) t.classList.toggle("hidden", !visible);
      }
      title.textContent = step.title;
      text.replaceChildren(
        ...step.lines.map((line) => {
          const p = document.createElement("p");
          p.textContent = line;
          if (/ = /.test(line) && !/[.:]$/.test(line)) p.className = "math";
          return p;
        })
      );
      slider.value = String(current);
      counter.textContent = "step " + current + " / " + (steps.length - 1) + " · " + step.phase;
      box.querySelector(".prev").disabled = current === 0;
      box.querySelector(".next").disabled = current === steps.length - 1;
    }

    const key = pageControls(box, steps.length, show, () => current, 900);
    show(0);
    return key;
  }

  routeKeys(".explorer", setup);
})();
