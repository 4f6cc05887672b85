// -- geometry: where the panels sit, and data -> pixel projections ---------------------------

/** The landscape panel: a plot box of the data's aspect inside width W, at most maxH tall. */
const mapRect = (W, aspect, maxH) => {
  const m = { l: 50, r: 12, t: 8, b: 40 };
  let w = Math.max(40, W - m.l - m.r);
  let h = w * aspect;
  let x = m.l;
  if (h > maxH) {
    h = maxH;
    const w2 = h / aspect;
    x += (w - w2) / 2;
    w = w2;
  }
  return { W, H: Math.round(h + m.t + m.b), x, y: m.t, w, h };
};

/** The loss panel: as tall as the map beside it, or a shorter chart below it. */
const lossRect = (W, mapH, beside) => {
  const H = beside ? mapH : Math.round(Math.min(mapH, Math.max(180, W * 0.55)));
  const m = { l: 56, r: 12, t: 8, b: 40 };
  return { W, H, x: m.l, y: m.t, w: Math.max(40, W - m.l - m.r), h: Math.max(40, H - m.t - m.b) };
};

/** Data -> pixels in a plot box over extent [x0, x1, y0, y1]. */
const projection = (r, [x0, x1, y0, y1]) => ({
  x: (v) => r.x + ((v - x0) / (x1 - x0)) * r.w,
  y: (v) => r.y + r.h - ((v - y0) / (y1 - y0)) * r.h,
});

/** The range of the losses worth showing: every run, but a blow-up does not squash the rest. */
const lossRange = (model, log) => {
  let lo = Infinity, hi = -Infinity, lo0 = Infinity, hi0 = -Infinity;
  for (const t of model.traces) {
    for (let k = 0; k < t.n; k++) {
      const v = t.loss[k];
      if (log && !(v > 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (k === 0) { lo0 = Math.min(lo0, v); hi0 = Math.max(hi0, v); }
    }
  }
  if (!(hi >= lo)) return log ? [0.1, 1] : [0, 1];
  // The chart keeps a window around the starting losses; a diverging curve leaves it at the edge.
  if (hi0 >= lo0) {
    if (log) hi = Math.min(hi, hi0 * 1e3);
    else {
      const s0 = Math.max(Math.abs(hi0), Math.abs(lo0), hi0 - lo0) || 1;
      hi = Math.min(hi, hi0 + 20 * s0);
      lo = Math.max(lo, lo0 - 20 * s0);
    }
  }
  return [lo, hi];
};

/** The loss chart's projections and ticks: {xs(step), fy(loss), xticks, yticks}. */
const lossAxes = (model, r) => {
  const log = model.lossScale === "log";
  let [lo, hi] = lossRange(model, log);
  let fy, yticks;
  if (log) {
    lo = Math.max(lo, hi * 1e-16);
    const e0 = Math.floor(Math.log10(lo) + 1e-9);
    let e1 = Math.ceil(Math.log10(hi) - 1e-9);
    if (e1 <= e0) e1 = e0 + 1;
    const stride = Math.max(1, Math.ceil((e1 - e0) / Math.max(2, Math.floor(r.h / 36))));
    yticks = [];
    for (let e = e0; e <= e1; e += stride) yticks.push({ v: 10 ** e, s: pow10(e) });
    fy = (v) => r.y + r.h * (1 - (Math.log10(Math.max(v, 1e-300)) - e0) / (e1 - e0));
  } else {
    const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.1 || 1;
    lo -= pad;
    hi += pad;
    yticks = linearTicks(lo, hi, Math.max(2, Math.floor(r.h / 40)));
    fy = (v) => r.y + r.h * (1 - (v - lo) / (hi - lo));
  }
  const last = Math.max(1, model.steps);
  const xticks = niceTicks(0, last, Math.max(2, Math.floor(r.w / 70)))
    .filter((v) => v === Math.round(v)).map((v) => ({ v, s: String(v) }));
  return { fy, xs: (k) => r.x + (r.w * k) / last, xticks, yticks };
};
