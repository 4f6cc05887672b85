// -- grid: a slider over a precomputed grid of settings (optlib/viz/grid.py) -----------------
// Uses make (controls), sizeCanvas, drawAxes, strokeRun, setFont (render), linearTicks, pow10,
// fmt (format), readTheme, watchTheme, watchPrint (theme).

/** The y axis of the grid's chart: {f(value) -> pixel, ticks}. */
const gridYAxis = ([lo, hi], r, log) => {
  if (!log) {
    const f = (v) => r.y + r.h * (1 - (v - lo) / (hi - lo));
    return { f, ticks: linearTicks(lo, hi, Math.max(2, Math.floor(r.h / 40))) };
  }
  // The data's own range, 3% wider in log space; ticks at 1, 2, 5 x 10^e where it spans
  // less than two decades, else at the decades.
  const pad = 0.03 * (Math.log10(hi) - Math.log10(lo) || 1);
  const l0 = Math.log10(lo) - pad, l1 = Math.log10(hi) + pad;
  const ticks = [];
  for (let e = Math.floor(l0); e <= Math.ceil(l1); e++) {
    const fine = l1 - l0 < 2;
    for (const m of fine ? [1, 2, 5] : [1]) {
      const l = e + Math.log10(m), v = m * 10 ** e;
      if (l >= l0 - 1e-9 && l <= l1 + 1e-9) ticks.push({ v, s: fine ? fmt(v) : pow10(e) });
    }
  }
  const f = (v) => r.y + r.h * (1 - (Math.log10(Math.max(v, 1e-300)) - l0) / (l1 - l0));
  return { f, ticks };
};

/** One curve, a polyline through its finite points; a null (or lone point) leaves a gap. */
const strokeCurve = (g, pt, y, style, width) => {
  for (let j = 0; j < y.length; j++) {
    if (!Number.isFinite(y[j])) continue;
    let k = j;
    while (k + 1 < y.length && Number.isFinite(y[k + 1])) k++;
    if (k > j) strokeRun(g, pt, j, k, style, width);
    else {
      g.fillStyle = style;
      g.beginPath(); g.arc(pt.x(j), pt.y(j), width, 0, 2 * Math.PI); g.fill();
    }
    j = k;
  }
};

/** Draw setting `index` of `data` on `canvas`, `W` CSS pixels wide; what was drawn, where. */
const drawGrid = (canvas, data, index, theme, W, ratio) => {
  const H = Math.round(Math.max(220, Math.min(380, W * 0.52)));
  const r = { W, H, x: 62, y: 10, w: Math.max(40, W - 74), h: H - 52 };
  const g = sizeCanvas(canvas, W, H, ratio);
  canvas.style.height = `${H}px`;
  const [x0, x1] = data.xlim;
  const px = (v) => r.x + (r.w * (v - x0)) / (x1 - x0);
  const ya = gridYAxis(data.ylim, r, data.log_y);
  g.strokeStyle = theme.grid;
  g.lineWidth = 1;
  for (const t of ya.ticks) {
    const y = Math.round(ya.f(t.v)) + 0.5;
    g.beginPath(); g.moveTo(r.x, y); g.lineTo(r.x + r.w, y); g.stroke();
  }
  const xticks = linearTicks(x0, x1, Math.max(2, Math.floor(r.w / 70)));
  drawAxes(g, r, theme, { xticks, yticks: ya.ticks, px, py: ya.f, xlabel: data.xlabel,
    ylabel: data.log_y ? `${data.ylabel} (log scale)` : data.ylabel });
  g.save();
  g.beginPath(); g.rect(r.x, r.y, r.w, r.h); g.clip();
  g.lineJoin = "round";
  g.lineCap = "round";
  const stroke = (s, k, width) => {
    const pt = { x: (j) => px(s.x[j]), y: (j) => ya.f(s.y[k][j]) };
    g.setLineDash(s.dash ? [6, 4] : []);
    strokeCurve(g, pt, s.y[k], s.color, width);
  };
  if (data.context) {
    g.globalAlpha = 0.2;
    for (const s of data.series) s.y.forEach((_, k) => { if (k !== index) stroke(s, k, 1.2); });
    g.globalAlpha = 1;
  }
  for (const s of data.series) stroke(s, index, 2.4);
  g.restore();
  // The setting in the corner: it stays in a printed still, where the slider is hidden.
  setFont(g, theme, 12);
  g.fillStyle = theme.fg;
  g.textAlign = "right";
  g.textBaseline = "top";
  g.fillText(`${data.axis} = ${data.labels[index]}`, r.x + r.w - 6, r.y + 5);
  const at = (s) => s.y[index].map((v, j) => (Number.isFinite(v) ? [px(s.x[j]), ya.f(v)] : null));
  return { index, plot: { x: r.x, y: r.y, w: r.w, h: r.h },
    drawn: data.series.map((s) => ({ name: s.name, color: s.color, pixels: at(s) })) };
};

/**
 * Build a grid player inside `root` from `data` (the schema of optlib/viz/grid.py); its API,
 * also set as `root.optlibPlayer`. Nothing outside `root` is touched, except listening for
 * the page's theme changes and for printing.
 */
const mountGrid = (root, data) => {
  const doc = root.ownerDocument;
  const win = doc.defaultView || window;
  const uid = root.id || (root.id = `optlib-grid-${Math.random().toString(36).slice(2, 10)}`);
  const count = data.values.length;
  root.querySelectorAll(".optlib-fallback, .optlib-body").forEach((e) => e.remove());
  root.classList.add("optlib-player", "optlib-grid");
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", `${data.title || "Curves"}: one setting of ${data.axis} at a time`);
  const body = make(doc, "div", "optlib-body", root);
  make(doc, "div", "optlib-title", body).textContent = data.title || "";
  make(doc, "div", "optlib-note", body).textContent = data.note || "";
  body.querySelectorAll(".optlib-title, .optlib-note").forEach((e) => {
    e.style.display = e.textContent ? "" : "none";
  });
  const figs = make(doc, "div", "optlib-figs", body);
  const box = make(doc, "div", "optlib-panel", figs);
  box.style.flex = "1 1 100%";
  const canvas = make(doc, "canvas", "optlib-gridchart", box, { role: "img" });
  const legend = make(doc, "ul", "optlib-legend", body, { "aria-label": "Legend" });
  const rows = data.series.map((s) => {
    const li = make(doc, "li", "", legend);
    const sw = make(doc, "span", "optlib-swatch", li, { "aria-hidden": "true" });
    sw.style.background = s.dash ? `repeating-linear-gradient(90deg, ${s.color} 0 6px, transparent 6px 10px)` : s.color;
    make(doc, "span", "optlib-name", li).textContent = s.name;
    return make(doc, "span", "optlib-val", li);
  });
  const bar = make(doc, "div", "optlib-controls", body);
  const sliderBox = make(doc, "div", "optlib-stepbox", bar);
  make(doc, "label", "optlib-label", sliderBox, { for: `${uid}-setting` }).textContent = data.axis;
  const slider = make(doc, "input", "optlib-slider", sliderBox, { type: "range",
    id: `${uid}-setting`, min: "0", max: String(count - 1), step: "1" });
  const readout = make(doc, "output", "optlib-readout", sliderBox, { for: `${uid}-setting` });

  let index = Math.max(0, Math.min(count - 1, data.index | 0));
  let theme = readTheme(root);
  let drawn = null;
  let width = 0;

  const render = () => {
    width = box.clientWidth;
    if (width <= 0) return;
    drawn = drawGrid(canvas, data, index, theme, width, win.devicePixelRatio || 1);
    const label = data.labels[index];
    slider.value = String(index);
    slider.setAttribute("aria-valuetext", `${data.axis} ${label}`);
    readout.textContent = label;
    canvas.setAttribute("aria-label", `${data.ylabel} against ${data.xlabel} for ${data.axis} `
      + `= ${label}: ${data.series.map((s) => s.name).join(", ")}.`);
    data.series.forEach((s, i) => {
      const last = s.y[index].filter(Number.isFinite).pop();
      rows[i].textContent = last === undefined ? "no finite value" : `last ${fmt(last)}`;
    });
    root.setAttribute("data-index", String(index));
  };
  const show = (k) => {
    index = Math.max(0, Math.min(count - 1, Math.round(k)));
    render();
  };
  slider.addEventListener("input", () => show(+slider.value));
  const retheme = () => {
    const next = readTheme(root);
    if (JSON.stringify(next) === JSON.stringify(theme)) return;
    theme = next;
    render();
  };
  const printing = (on) => () => {
    root.classList.toggle("optlib-printing", on);
    theme = readTheme(root);
    render();
  };
  const unwatchTheme = watchTheme(win, retheme);
  const unwatchPrint = watchPrint(win, printing(true), printing(false));
  const onResize = () => { if (box.clientWidth !== width) render(); };
  const ro = win.ResizeObserver ? new win.ResizeObserver(onResize) : null;
  if (ro) ro.observe(figs);
  else win.addEventListener("resize", onResize);
  render();

  const api = {
    /** The setting shown: {axis, value, label, index}. */
    settings: () => ({ axis: data.axis, value: data.values[index], label: data.labels[index], index }),
    /** Show another setting: {index} or {value} (the nearest of the grid's values). */
    set(s) {
      if (Number.isFinite(s?.index)) return show(s.index);
      if (!Number.isFinite(s?.value)) throw new Error("set() needs {value} or {index}");
      const dist = data.values.map((v) => Math.abs(v - s.value));
      return show(dist.indexOf(Math.min(...dist)));
    },
    /** The shown setting's numbers as shipped: [{name, x, y}] (null where no value). */
    curves: () => data.series.map((s) => ({ name: s.name, x: s.x.slice(), y: s.y[index].slice() })),
    state: () => ({ ...JSON.parse(JSON.stringify(drawn)), xlim: data.xlim, ylim: data.ylim,
      log_y: data.log_y }),
    destroy() {
      if (ro) ro.disconnect();
      else win.removeEventListener("resize", onResize);
      unwatchTheme();
      unwatchPrint();
      body.remove();
      if (root.optlibPlayer === api) delete root.optlibPlayer;
    },
  };
  root.optlibPlayer = api;
  return api;
};
