// -- live: an explorer's controls in the page; the engine recomputes its runs ----------------
//
// When the data carries `settings` the engine can run (a built-in landscape, built-in
// optimizers), the player shows the widget's controls: per run the optimizer, the learning
// rate on a log slider, momentum / alpha / rho / betas / eps where the optimizer has them and
// its flags; the start point (sliders, or click and drag on the landscape) and the steps.

// [label, min, max, step, log]: log sliders move the exponent
const KNOBS = {
  lr: ["learning rate", -4, 1, 0.05, true],
  momentum: ["momentum", 0, 0.99, 0.01],
  alpha: ["alpha (smoothing)", 0.5, 0.999, 0.001],
  rho: ["rho (decay)", 0.5, 0.999, 0.001],
  beta1: ["beta1", 0, 0.999, 0.001],
  beta2: ["beta2", 0.9, 0.9999, 0.0001],
  eps: ["eps", -12, 0, 0.5, true],
};
const FLAGS = ["nesterov", "amsgrad", "centered"];

/** The engine's landscape for settings it can recompute, else null. */
const engineLandscape = (s) => {
  const land = s && ENGINE.landscapes[s.landscape];
  const ok = land && typeof land === "object" && Array.isArray(s.runs) && s.runs.length > 0
    && s.runs.every((r) => r && r.optimizer in ENGINE.optimizers);
  return ok ? land : null;
};

/** The runs of settings `s`; an invalid run becomes "label: message" (Python's message). */
const computeRuns = (s, labels) => {
  const errors = [];
  const traces = [];
  try {
    ENGINE.run({ ...s, runs: [] }); // the start and the steps, checked once for all runs
    s.runs.forEach((r, i) => {
      try {
        traces.push({ ...ENGINE.run({ ...s, runs: [r] })[0], label: r.label ?? labels[i] ?? r.optimizer, i });
      } catch (e) {
        errors.push(`${r.label ?? labels[i] ?? r.optimizer}: ${e.message}`);
      }
    });
  } catch (e) {
    errors.push(e.message);
  }
  return { traces, errors };
};

/** A value of knob `key` in settings terms from the hparams (betas split in two). */
const knobValue = (hp, key) => (key === "beta1" ? hp.betas?.[0] : key === "beta2" ? hp.betas?.[1] : hp[key]);

/**
 * Build the controls for settings `cur` in `box` (replacing what was there); each change
 * calls onChange(mutate) with a function that edits the settings.
 */
const buildLive = (box, uid, cur, labels, extent, dim, onChange) => {
  const doc = box.ownerDocument;
  const focused = doc.activeElement?.id;
  box.replaceChildren();
  const field = (parent, id, text, attrs) => {
    const w = make(doc, "span", "optlib-field", parent);
    make(doc, "label", "optlib-label", w, { for: id }).textContent = text;
    return make(doc, "input", "optlib-range", w, { id, ...attrs });
  };
  const slider = (parent, id, text, value, [lo, hi, st, log], set) => {
    const v = log ? Math.log10(value) : value;
    const lo2 = Number.isFinite(v) ? Math.min(lo, Math.floor(v)) : lo;
    const hi2 = Number.isFinite(v) ? Math.max(hi, Math.ceil(v)) : hi;
    const input = field(parent, id, text, { type: "range", min: String(lo2), max: String(hi2), step: String(st) });
    input.value = String(Number.isFinite(v) ? v : lo2);
    const out = make(doc, "output", "optlib-readout", input.parentNode, { for: id });
    const show = (x) => { out.textContent = fmt(x); input.setAttribute("aria-valuetext", fmt(x)); };
    show(value);
    input.addEventListener("input", () => {
      const x = log ? 10 ** +input.value : +input.value;
      show(x);
      onChange(() => set(x));
    });
  };
  cur.runs.forEach((r, i) => {
    const fs = make(doc, "fieldset", "optlib-run", box);
    const name = r.label ?? labels[i] ?? r.optimizer;
    make(doc, "legend", "", fs).textContent = name;
    const sel = make(doc, "select", "optlib-opt", fs, { id: `${uid}-r${i}-opt`, "aria-label": `${name}: optimizer` });
    for (const name of Object.keys(ENGINE.optimizers)) {
      make(doc, "option", "", sel, { value: name }).textContent = name;
    }
    sel.value = r.optimizer;
    sel.addEventListener("change", () => onChange(() => {
      const lr = r.hparams?.lr;
      r.optimizer = sel.value;
      r.hparams = { ...ENGINE.optimizers[sel.value].defaults };
      if (lr !== undefined) r.hparams.lr = lr;
    }, true));
    const hp = (r.hparams ||= {});
    const d = ENGINE.optimizers[r.optimizer]?.defaults || {};
    for (const [key, [text, ...range]] of Object.entries(KNOBS)) {
      const base = key.startsWith("beta") ? "betas" : key;
      if (!(base in d) || typeof knobValue({ ...d, ...hp }, key) !== "number") continue;
      slider(fs, `${uid}-r${i}-${key}`, text, knobValue({ ...d, ...hp }, key), range, (x) => {
        if (base === "betas") {
          const b = [...(hp.betas || d.betas)];
          b[key === "beta1" ? 0 : 1] = x;
          hp.betas = b;
        } else hp[key] = x;
      });
    }
    for (const key of FLAGS) {
      if (!(key in d)) continue;
      const w = make(doc, "label", "optlib-flag", fs);
      const c = make(doc, "input", "", w, { type: "checkbox", id: `${uid}-r${i}-${key}` });
      c.checked = !!(hp[key] ?? d[key]);
      w.append(key);
      c.addEventListener("change", () => onChange(() => { hp[key] = c.checked; }));
    }
  });
  const place = make(doc, "div", "optlib-place", box);
  for (let k = 0; k < dim; k++) {
    const a = extent[2 * k], b = extent[2 * k + 1];
    slider(place, `${uid}-start${k}`, `start ${"xy"[k]}`, cur.start[k], [a, b, (b - a) / 200], (x) => { cur.start[k] = x; });
  }
  slider(place, `${uid}-steps`, "steps", cur.steps, [1, Math.max(1000, cur.steps), 1], (x) => { cur.steps = Math.round(x); });
  if (focused) doc.getElementById(focused)?.focus();
};
