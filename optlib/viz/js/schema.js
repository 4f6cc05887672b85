// -- schema: the data Python writes (optlib/viz/_schema.py) -> the model the drawing reads ----

/** Okabe-Ito, as optlib.viz.PALETTE: for traces that come without a colour (from setData). */
const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442"];

/** A trace's columns: the page's {x, y, loss}, or the API's {points, losses} turned into them. */
const columnsOf = (t, dim) => {
  if (Array.isArray(t.x)) return { x: t.x, y: Array.isArray(t.y) ? t.y : t.loss, loss: t.loss || [] };
  const points = t.points || [];
  const loss = t.losses || t.loss || [];
  const x = points.map((p) => (Array.isArray(p) ? p[0] : p));
  return { x, y: dim === 1 ? loss : points.map((p) => p[1]), loss };
};

/** How many leading points are finite in every column. */
const finitePrefix = (cols, n) => {
  for (let k = 0; k < n; k++) {
    const ok = Number.isFinite(cols.x[k]) && Number.isFinite(cols.y[k]) && Number.isFinite(cols.loss[k]);
    if (!ok) return k;
  }
  return n;
};

/** The model of one data object: traces with their lengths, the last step, the picture. */
const normalize = (data) => {
  const dim = data.dim === 1 ? 1 : 2;
  const traces = (data.traces || []).map((t, i) => {
    const cols = columnsOf(t, dim);
    const n = finitePrefix(cols, Math.min(cols.x.length, cols.y.length, cols.loss.length));
    let d = t.diverged_at ?? -1;
    if (n < cols.x.length && (d < 0 || d > n)) d = n; // cut at the first non-finite number
    return { label: String(t.label ?? `run ${i}`), color: t.color || PALETTE[i % PALETTE.length],
      x: cols.x, y: cols.y, loss: cols.loss, n, d };
  });
  const steps = Math.max(0, ...traces.map((t) => Math.max(t.n - 1, t.d)));
  const ext = data.extent || [0, 1, 0, 1];
  return {
    dim,
    title: data.title || "",
    note: data.note || "",
    xlabel: data.xlabel || "x",
    ylabel: data.ylabel || (dim === 1 ? "f(x)" : "y"),
    extent: ext,
    aspect: data.aspect > 0 ? data.aspect : (ext[3] - ext[2]) / (ext[1] - ext[0]) || 1,
    image: data.image || "",
    fps: data.fps > 0 ? data.fps : 20,
    lossScale: data.loss_scale === "linear" ? "linear" : "log",
    settings: data.settings ?? null,
    traces,
    steps,
  };
};

/** The runs as optlib records them: [{label, points, losses, diverged_at}], in run order. */
const trajectoriesOf = (model) => model.traces.map((t) => ({
  label: t.label,
  points: model.dim === 2 ? t.x.slice(0, t.n).map((x, k) => [x, t.y[k]]) : t.x.slice(0, t.n),
  losses: t.loss.slice(0, t.n),
  diverged_at: t.d >= 0 ? t.d : null,
}));
