// -- surface: the 3-D view, the landscape as a shaded surface with the paths on it -----------
//
// No library: a grid of heights (from the engine, or shipped with the data), projected with a
// rotation (azimuth) and a tilt (elevation), its quads filled far to near (painter's
// algorithm), each shaded by its height between two of the theme's colours and by its slope.

const GRID = 36; // cells per side

/** "#rrggbb" -> [r, g, b]; anything else a mid grey. */
const rgbOf = (c) => (/^#[0-9a-f]{6}$/i.test(c) ? [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) : [128, 128, 128]);

/** Heights on a GRID+1 square over the extent, scaled to [0, 1] (log-like where the loss chart is log). */
const surfaceGrid = (value, extent, log) => {
  const [x0, x1, y0, y1] = extent;
  const f = [];
  for (let j = 0; j <= GRID; j++) {
    for (let i = 0; i <= GRID; i++) f.push(value([x0 + ((x1 - x0) * i) / GRID, y0 + ((y1 - y0) * j) / GRID]));
  }
  const finite = f.filter(Number.isFinite);
  const lo = Math.min(...finite), hi = Math.max(...finite);
  const floor = (hi - lo) * 1e-4 || 1;
  const h = log ? (v) => Math.log(Math.max(v - lo, 0) + floor) : (v) => v;
  const a = h(lo), b = h(hi);
  const z = (v) => (Number.isFinite(v) ? Math.min(1, Math.max(0, (h(v) - a) / (b - a || 1))) : 1);
  return { z, heights: f.map(z) };
};

/** The 3-D panel on `canvas`: draw(step) with the view {az, el}; the paths up to `step`. */
const surfacePanel = (canvas, model, grid, theme, view, W, ratio) => {
  const H = Math.round(W * 0.72);
  const g = sizeCanvas(canvas, W, H, ratio);
  canvas.style.height = `${H}px`;
  const [x0, x1, y0, y1] = model.extent;
  const s = Math.min(W, H) * 0.42;
  const lowC = rgbOf(theme.accent), highC = rgbOf(theme.paper);
  return {
    draw(step) {
      const ca = Math.cos(view.az), sa = Math.sin(view.az), ce = Math.cos(view.el), se = Math.sin(view.el);
      // u, v in [-1, 1] across the extent, w the height: screen x, y and the depth toward the eye
      const proj = (u, v, w) => {
        const X = u * ca - v * sa, Y = u * sa + v * ca, Z = w * 1.1 - 0.55;
        return [W / 2 + s * X, H * 0.55 - s * (Y * se + Z * ce), Z * se - Y * ce];
      };
      const uv = (x, y) => [((x - x0) / (x1 - x0)) * 2 - 1, ((y - y0) / (y1 - y0)) * 2 - 1];
      const pts = grid.heights.map((w, k) => proj(((k % (GRID + 1)) / GRID) * 2 - 1, (Math.floor(k / (GRID + 1)) / GRID) * 2 - 1, w));
      const quads = [];
      for (let j = 0; j < GRID; j++) {
        for (let i = 0; i < GRID; i++) {
          const k = j * (GRID + 1) + i, c = [k, k + 1, k + GRID + 2, k + GRID + 1];
          const hz = c.reduce((a, q) => a + grid.heights[q], 0) / 4;
          const slope = Math.abs(grid.heights[k + 1] - grid.heights[k]) + Math.abs(grid.heights[k + GRID + 1] - grid.heights[k]);
          quads.push({ c, hz, shade: 1 - Math.min(0.4, slope * 6), d: c.reduce((a, q) => a + pts[q][2], 0) });
        }
      }
      quads.sort((p, q) => p.d - q.d);
      g.clearRect(0, 0, W, H);
      for (const q of quads) {
        const rgb = lowC.map((lo, n) => Math.round((lo + (highC[n] - lo) * q.hz) * q.shade));
        g.fillStyle = g.strokeStyle = `rgb(${rgb})`;
        g.beginPath();
        q.c.forEach((p, n) => (n ? g.lineTo(pts[p][0], pts[p][1]) : g.moveTo(pts[p][0], pts[p][1])));
        g.closePath();
        g.fill();
        g.stroke();
      }
      g.lineJoin = g.lineCap = "round";
      for (const t of model.traces) {
        const k = Math.min(step, t.n - 1);
        if (k < 0) continue;
        const at = (j) => proj(...uv(t.x[j], t.y[j]), grid.z(t.loss[j]));
        for (const [color, width] of [[HALO, 4], [t.color, 2]]) {
          g.strokeStyle = color;
          g.lineWidth = width;
          g.beginPath();
          for (let j = 0; j <= k; j++) { const p = at(j); if (j) g.lineTo(p[0], p[1]); else g.moveTo(p[0], p[1]); }
          g.stroke();
        }
        const p = at(k);
        dot(g, p[0], p[1], 5, t.color, MAP_INK);
      }
    },
  };
};
