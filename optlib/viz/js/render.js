// -- render: canvas layers, paths drawn incrementally, axes and markers ----------------------
//
// Each canvas is composed from layers, so a frame costs the same at step 10 and at step 99,000:
//   base  (redrawn on resize, theme or data change): the picture, axes, the faint full loss curves;
//   paths (extended by the new segments only; redrawn from step 0 only when the step goes back):
//         the halo and the ink of every path up to the drawn step;
//   top   (every frame, on the visible canvas): start points, current markers, the step cursor.

/** Size canvas `c` for W x H CSS pixels at the screen's pixel ratio; its 2-D context. */
const sizeCanvas = (c, W, H, ratio) => {
  c.width = Math.max(1, Math.round(W * ratio));
  c.height = Math.max(1, Math.round(H * ratio));
  const g = c.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  return g;
};

/** An offscreen layer the size of a panel, clipped to its plot box when `clip` is given. */
const makeLayer = (doc, W, H, ratio, clip) => {
  const c = doc.createElement("canvas");
  const g = sizeCanvas(c, W, H, ratio);
  if (clip) {
    g.beginPath();
    g.rect(clip.x, clip.y, clip.w, clip.h);
    g.clip();
  }
  g.lineJoin = "round";
  g.lineCap = "round";
  return { c, g };
};

/** Copy a layer onto a canvas context pixel for pixel. */
const blit = (g, layer) => {
  g.save();
  g.setTransform(1, 0, 0, 1, 0, 0);
  g.drawImage(layer.c, 0, 0);
  g.restore();
};

const setFont = (g, theme, px) => { g.font = `${px}px ${theme.font}`; };

/** Tick marks and labels below and left of plot box r, its frame, and the two axis labels. */
const drawAxes = (g, r, theme, { xticks, yticks, px, py, xlabel, ylabel }) => {
  g.save();
  setFont(g, theme, 11);
  g.fillStyle = theme.muted;
  g.strokeStyle = theme.tick;
  g.lineWidth = 1;
  g.textAlign = "center";
  g.textBaseline = "top";
  for (const t of xticks) {
    const x = Math.round(px(t.v)) + 0.5;
    g.beginPath(); g.moveTo(x, r.y + r.h); g.lineTo(x, r.y + r.h + 4); g.stroke();
    const half = g.measureText(t.s).width / 2;
    g.fillText(t.s, Math.min(Math.max(x, half + 1), r.W - half - 1), r.y + r.h + 6);
  }
  g.textAlign = "right";
  g.textBaseline = "middle";
  for (const t of yticks) {
    const y = Math.round(py(t.v)) + 0.5;
    g.beginPath(); g.moveTo(r.x - 4, y); g.lineTo(r.x, y); g.stroke();
    g.fillText(t.s, r.x - 6, y);
  }
  g.strokeStyle = theme.axis;
  g.strokeRect(Math.round(r.x) + 0.5, Math.round(r.y) + 0.5, Math.round(r.w), Math.round(r.h));
  setFont(g, theme, 12);
  g.fillStyle = theme.fg;
  g.textAlign = "center";
  g.textBaseline = "bottom";
  g.fillText(xlabel, r.x + r.w / 2, r.H - 2);
  g.translate(11, r.y + r.h / 2);
  g.rotate(-Math.PI / 2);
  g.textBaseline = "middle";
  g.fillText(ylabel, 0, 0);
  g.restore();
};

// Canvas drops a path with coordinates near the float limit, and a diverging run gets there:
// segments that leave a box far around the panel are cut to it (Liang-Barsky) first.
const FAR = 1e5;
const near = (x, y) => x > -FAR && x < FAR && y > -FAR && y < FAR;

/**
 * The part of segment (x0, y0)-(x1, y1) inside the far box, as [ax, ay, bx, by], or null. An end
 * that is cut lies exactly on the box: computing it as x0 + t dx would lose every digit when
 * the run is at 1e150 and the box at 1e5.
 */
const clipSegment = (x0, y0, x1, y1) => {
  const dx = x1 - x0, dy = y1 - y0;
  if (!Number.isFinite(dx) || !Number.isFinite(dy)) return null;
  let t0 = 0, t1 = 1, cut0 = -1, cut1 = -1; // the edge (0..3: x-, x+, y-, y+) that cuts each end
  const edges = [[-dx, x0 + FAR], [dx, FAR - x0], [-dy, y0 + FAR], [dy, FAR - y0]];
  for (let e = 0; e < 4; e++) {
    const [p, q] = edges[e];
    if (p === 0) {
      if (q < 0) return null;
      continue;
    }
    const r = q / p;
    if (p < 0 && r > t0) { t0 = r; cut0 = e; }
    if (p > 0 && r < t1) { t1 = r; cut1 = e; }
    if (t0 > t1) return null;
  }
  const at = (t, cut, x, y) => {
    const pt = [x + t * dx, y + t * dy];
    if (cut >= 0) pt[cut >> 1] = cut % 2 ? FAR : -FAR;
    return pt;
  };
  const a = cut0 < 0 ? [x0, y0] : at(t0, cut0, x0, y0);
  const b = cut1 < 0 ? [x1, y1] : at(t1 - 1, cut1, x1, y1); // from the end it is nearer to
  return [...a, ...b];
};

/**
 * One polyline of points from..to (pixels pt.x(j), pt.y(j)), stroked as given. A point
 * closer than half a pixel (in x and in y) to the last one drawn adds nothing visible and is
 * skipped (a long run crawls: 100,000 steps on a 500-pixel panel), except the last, where
 * the next batch starts.
 */
const strokeRun = (g, pt, from, to, style, width) => {
  g.beginPath();
  let px = pt.x(from), py = pt.y(from);
  let pen = near(px, py);
  if (pen) g.moveTo(px, py);
  for (let j = from + 1; j <= to; j++) {
    const x = pt.x(j), y = pt.y(j);
    if (pen && Math.abs(x - px) < 0.5 && Math.abs(y - py) < 0.5 && j < to) continue;
    if (pen && near(x, y)) g.lineTo(x, y);
    else {
      const c = clipSegment(px, py, x, y);
      if (c) { g.moveTo(c[0], c[1]); g.lineTo(c[2], c[3]); }
      pen = near(x, y);
    }
    px = x;
    py = y;
  }
  g.strokeStyle = style;
  g.lineWidth = width;
  g.stroke();
};

const dot = (g, x, y, r, fill, ink) => {
  g.beginPath();
  g.arc(x, y, r, 0, 2 * Math.PI);
  g.fillStyle = fill;
  g.fill();
  g.lineWidth = 1.5;
  g.strokeStyle = ink;
  g.stroke();
};

const cross = (g, x, y, r, color, ink) => {
  g.save();
  g.lineCap = "round";
  g.beginPath();
  g.moveTo(x - r, y - r); g.lineTo(x + r, y + r);
  g.moveTo(x + r, y - r); g.lineTo(x - r, y + r);
  g.strokeStyle = ink; g.lineWidth = 5; g.stroke();
  g.strokeStyle = color; g.lineWidth = 2.6; g.stroke();
  g.restore();
};

/** An arrow on the frame at (x, y) pointing at angle a: a run that left the picture. */
const arrow = (g, x, y, a, color, ink) => {
  g.save();
  g.translate(x, y);
  g.rotate(a);
  g.beginPath(); g.moveTo(2, 0); g.lineTo(-11, -7); g.lineTo(-11, 7); g.closePath();
  g.fillStyle = color; g.fill();
  g.lineWidth = 1.5; g.strokeStyle = ink; g.stroke();
  g.restore();
};

/**
 * Paths drawn up to a step, kept on layers and extended by their new segments only.
 * `pointOf(t)` gives the pixels {x(j), y(j)} of trace t's points; `strokes` are
 * [style(t), width] pairs, one layer each (the map: a white halo under the coloured ink);
 * `dots(t)` says whether every iterate of t gets a dot.
 */
const makePaths = (layers, pointOf, strokes, dots) => ({
  layers, pointOf, strokes, dots, drawn: [],
  /** Bring the layers to `step` for every trace of `model`. */
  extend(model, step) {
    const want = model.traces.map((t) => Math.min(step, t.n - 1));
    if (want.some((k, i) => k < (this.drawn[i] ?? -1))) this.clear(); // going back: redraw
    model.traces.forEach((t, i) => {
      const from = this.drawn[i] ?? -1;
      const to = want[i];
      if (to <= from || to < 0) return;
      const pt = this.pointOf(t);
      const start = Math.max(from, 0);
      if (to > start) {
        this.strokes.forEach(([style, width], s) => {
          strokeRun(this.layers[s].g, pt, start, to, style(t), width);
        });
      }
      if (this.dots(t)) {
        const g = this.layers[this.layers.length - 1].g;
        g.fillStyle = t.color;
        for (let j = from + 1; j <= to; j++) {
          const x = pt.x(j), y = pt.y(j);
          if (near(x, y)) { g.beginPath(); g.arc(x, y, 1.7, 0, 2 * Math.PI); g.fill(); }
        }
      }
      this.drawn[i] = to;
    });
  },
  clear() {
    for (const { c, g } of this.layers) {
      g.save();
      g.setTransform(1, 0, 0, 1, 0, 0);
      g.clearRect(0, 0, c.width, c.height);
      g.restore();
    }
    this.drawn = [];
  },
});

/** The landscape panel: picture, axes, paths; draw(step) composes one frame. */
const mapBases = new WeakMap(); // canvas -> its base layer {c, g, key, img}
const mapPanel = (doc, canvas, model, r, theme, img, ratio) => {
  const g = sizeCanvas(canvas, r.W, r.H, ratio);
  canvas.style.height = `${r.H}px`;
  const p = projection(r, model.extent);
  const e = model.extent;
  // the picture and its axes outlive new runs (a live explorer recomputes them per input)
  const ready = img && img.complete && img.naturalWidth ? img : null;
  const key = JSON.stringify([r, theme, e, model.xlabel, model.ylabel, ratio]);
  let base = mapBases.get(canvas);
  if (!base || base.key !== key || base.img !== ready) {
    base = { ...makeLayer(doc, r.W, r.H, ratio, null), key, img: ready };
    mapBases.set(canvas, base);
    if (ready) {
      base.g.filter = theme.dim;
      base.g.drawImage(img, r.x, r.y, r.w, r.h);
      base.g.filter = "none";
    } else {
      base.g.fillStyle = theme.paper;
      base.g.fillRect(r.x, r.y, r.w, r.h);
    }
    drawAxes(base.g, r, theme, {
      xticks: linearTicks(e[0], e[1], Math.max(2, Math.floor(r.w / 70))),
      yticks: linearTicks(e[2], e[3], Math.max(2, Math.floor(r.h / 55))),
      px: p.x, py: p.y, xlabel: model.xlabel, ylabel: model.ylabel,
    });
  }
  const paths = makePaths(
    [makeLayer(doc, r.W, r.H, ratio, r), makeLayer(doc, r.W, r.H, ratio, r)],
    (t) => ({ x: (j) => p.x(t.x[j]), y: (j) => p.y(t.y[j]) }),
    [[() => HALO, 4], [(t) => t.color, 2]],
    (t) => t.n <= 400,
  );
  return {
    draw(step) {
      paths.extend(model, step);
      g.clearRect(0, 0, r.W, r.H);
      blit(g, base);
      for (const layer of paths.layers) blit(g, layer);
      g.save();
      g.beginPath(); g.rect(r.x, r.y, r.w, r.h); g.clip();
      for (const t of model.traces) if (t.n > 0) dot(g, p.x(t.x[0]), p.y(t.y[0]), 4, "#ffffff", MAP_INK);
      g.restore();
      return model.traces.map((t) => {
        const k = Math.min(step, t.n - 1);
        if (k < 0) return { px: null, py: null };
        const x = p.x(t.x[k]), y = p.y(t.y[k]);
        const cx = Math.min(Math.max(x, r.x), r.x + r.w), cy = Math.min(Math.max(y, r.y), r.y + r.h);
        if (cx !== x || cy !== y) arrow(g, cx, cy, Math.atan2(y - cy, x - cx), t.color, MAP_INK);
        else if (t.d >= 0 && step >= t.d) cross(g, x, y, 6, t.color, MAP_INK);
        else dot(g, x, y, 6, t.color, MAP_INK);
        return { px: cx, py: cy };
      });
    },
  };
};

/** The loss-against-step panel: grid, axes, faint full curves; draw(step) composes a frame. */
const lossPanel = (doc, canvas, model, r, theme, ratio) => {
  const g = sizeCanvas(canvas, r.W, r.H, ratio);
  canvas.style.height = `${r.H}px`;
  const a = lossAxes(model, r);
  const base = makeLayer(doc, r.W, r.H, ratio, null);
  base.g.strokeStyle = theme.grid;
  base.g.lineWidth = 1;
  for (const t of a.yticks) {
    const y = Math.round(a.fy(t.v)) + 0.5;
    base.g.beginPath(); base.g.moveTo(r.x, y); base.g.lineTo(r.x + r.w, y); base.g.stroke();
  }
  drawAxes(base.g, r, theme, {
    xticks: a.xticks, yticks: a.yticks, px: a.xs, py: a.fy,
    xlabel: "step", ylabel: model.lossScale === "log" ? "loss (log scale)" : "loss",
  });
  const pointOf = (t) => ({ x: a.xs, y: (j) => a.fy(t.loss[j]) });
  const faint = makeLayer(doc, r.W, r.H, ratio, r);
  faint.g.globalAlpha = 0.25;
  for (const t of model.traces) if (t.n > 1) strokeRun(faint.g, pointOf(t), 0, t.n - 1, t.color, 1.5);
  const ink = makeLayer(doc, r.W, r.H, ratio, r);
  const paths = makePaths([ink], pointOf, [[(t) => t.color, 2.2]], () => false);
  return {
    draw(step) {
      paths.extend(model, step);
      g.clearRect(0, 0, r.W, r.H);
      blit(g, base);
      blit(g, faint);
      blit(g, ink);
      g.save();
      g.beginPath(); g.rect(r.x, r.y, r.w, r.h); g.clip();
      const cx = Math.round(a.xs(step)) + 0.5;
      g.strokeStyle = theme.tick; g.setLineDash([4, 3]); g.lineWidth = 1;
      g.beginPath(); g.moveTo(cx, r.y); g.lineTo(cx, r.y + r.h); g.stroke();
      g.restore();
      for (const t of model.traces) {
        const k = Math.min(step, t.n - 1);
        if (k < 0) continue;
        const x = a.xs(k), y = Math.min(Math.max(a.fy(t.loss[k]), r.y), r.y + r.h);
        if (t.d >= 0 && step >= t.d) cross(g, x, y, 5, t.color, theme.ink);
        else dot(g, x, y, 4.5, t.color, theme.ink);
      }
    },
  };
};
