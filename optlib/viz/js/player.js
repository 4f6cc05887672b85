// -- player: mount() ties the parts together and hangs the API on the element -----------------

const VERSION = 2;

/**
 * Build a player inside `root` from `data` (the schema of optlib/viz/_schema.py) and return
 * its API, also set as `root.optlibPlayer`. The player reads and writes nothing outside
 * `root`, except listening for the page's theme changes and for printing.
 */
const mount = (root, data) => {
  const doc = root.ownerDocument;
  const win = doc.defaultView || window;
  root.id ||= `optlib-player-${Math.random().toString(36).slice(2, 10)}`;
  const ui = buildControls(root);

  let raw = {}; // the data so far: setData merges partial data into it
  let model = null;
  let rows = []; // legend rows
  let img = null;
  let theme = readTheme(root);
  let panels = null; // {width, map, loss}: rebuilt on resize, theme, image or data change
  let markers = [];
  let step = 0;
  let playing = false;
  let raf = 0;
  let lastTs = null;
  let acc = 0;
  let speed = 1;
  let printing = null; // {step, playing} to restore after printing

  // -- drawing ---------------------------------------------------------------------------
  const layout = () => {
    const W = ui.mapBox.clientWidth;
    if (panels && panels.width === W) return true;
    if (W <= 0) return false;
    const maxH = Math.max(240, Math.min(520, win.innerHeight ? win.innerHeight * 0.7 : 520));
    const mr = mapRect(W, model.aspect, maxH);
    const beside = Math.abs(ui.lossBox.offsetTop - ui.mapBox.offsetTop) < 4;
    const lr = lossRect(ui.lossBox.clientWidth, mr.H, beside);
    const ratio = win.devicePixelRatio || 1;
    panels = {
      width: W,
      map: mapPanel(doc, ui.map, model, mr, theme, img, ratio),
      loss: lossPanel(doc, ui.loss, model, lr, theme, ratio),
    };
    return true;
  };

  const render = () => {
    if (!model || !layout()) return;
    markers = panels.map.draw(step);
    panels.loss.draw(step);
    ui.readout.textContent = `step ${step} / ${model.steps}`;
    ui.slider.setAttribute("aria-valuetext", `step ${step} of ${model.steps}`);
    model.traces.forEach((t, i) => {
      const k = Math.min(step, t.n - 1);
      rows[i].value.textContent = k >= 0 ? `loss ${fmt(t.loss[k])}` : "no finite point";
      rows[i].badge.style.display = t.d >= 0 && step >= t.d ? "" : "none";
    });
    root.setAttribute("data-step", String(step));
  };

  const redrawAll = () => {
    panels = null;
    render();
  };

  const loadImage = (src) => {
    img = null;
    if (!src) return;
    const im = new win.Image();
    im.onload = () => { if (img === im) redrawAll(); };
    im.src = src;
    img = im;
  };

  const setData = (d) => {
    raw = { ...raw, ...d };
    const before = model?.image;
    model = normalize(raw);
    ui.slider.max = String(model.steps);
    describe(ui, root, model);
    rows = buildLegend(ui, model);
    if (model.image !== before) loadImage(model.image);
    panels = null;
  };

  // -- playback --------------------------------------------------------------------------
  const setStep = (k) => {
    step = Math.max(0, Math.min(model.steps, Math.round(k)));
    ui.slider.value = String(step);
    render();
  };
  const setPlaying = (on) => {
    playing = on;
    showPlaying(ui, on);
    root.setAttribute("data-playing", on ? "true" : "false");
  };
  const pause = () => {
    if (raf) win.cancelAnimationFrame(raf);
    raf = 0;
    if (playing) setPlaying(false);
  };
  const tick = (ts) => {
    if (!playing) return;
    if (lastTs === null) lastTs = ts;
    acc += (Math.min(ts - lastTs, 250) / 1000) * model.fps * speed;
    lastTs = ts;
    const n = Math.floor(acc);
    if (n > 0) {
      acc -= n;
      setStep(step + n);
    }
    if (step >= model.steps) pause();
    else raf = win.requestAnimationFrame(tick);
  };
  const play = () => {
    if (playing || model.steps === 0 || printing) return;
    if (step >= model.steps) setStep(0);
    setPlaying(true);
    lastTs = null;
    acc = 0;
    raf = win.requestAnimationFrame(tick);
  };
  const toggle = () => (playing ? pause() : play());
  const go = (k) => {
    pause();
    setStep(k);
  };

  // -- printing: a still of the complete runs, in the light theme, without controls -------
  const startPrint = () => {
    if (printing || !model) return;
    printing = { step, playing };
    pause();
    root.classList.add("optlib-printing");
    theme = readTheme(root);
    step = model.steps;
    ui.slider.value = String(step);
    redrawAll();
  };
  const endPrint = () => {
    if (!printing) return;
    const before = printing;
    printing = null;
    root.classList.remove("optlib-printing");
    theme = readTheme(root);
    panels = null;
    setStep(before.step);
    if (before.playing) play();
  };

  const onTheme = () => {
    const next = readTheme(root);
    if (JSON.stringify(next) === JSON.stringify(theme)) return;
    theme = next;
    redrawAll();
  };

  // -- wiring ----------------------------------------------------------------------------
  ui.play.addEventListener("click", toggle);
  ui.first.addEventListener("click", () => go(0));
  ui.prev.addEventListener("click", () => go(step - 1));
  ui.next.addEventListener("click", () => go(step + 1));
  ui.last.addEventListener("click", () => go(model.steps));
  ui.slider.addEventListener("input", () => go(+ui.slider.value));
  ui.speed.addEventListener("change", () => { speed = +ui.speed.value || 1; });
  const onKey = keyHandler({ toggle, go, step: () => step, steps: () => model.steps });
  root.addEventListener("keydown", onKey);
  const onResize = () => { if (ui.mapBox.clientWidth !== panels?.width) render(); };
  const ro = win.ResizeObserver ? new win.ResizeObserver(onResize) : null;
  if (ro) ro.observe(ui.figs);
  else win.addEventListener("resize", onResize);
  const unwatchTheme = watchTheme(win, onTheme);
  const unwatchPrint = watchPrint(win, startPrint, endPrint);

  // -- start: the full paths first, so the figure reads before anyone presses play --------
  setData(data);
  setPlaying(false);
  step = model.steps;
  ui.slider.value = String(step);
  render();

  const api = {
    /** Redraw from new (possibly partial) data; see _schema.py. Playing restarts from 0. */
    setData(d) {
      const was = playing;
      pause();
      setData(d);
      step = was ? 0 : model.steps;
      ui.slider.value = String(step);
      render();
      if (was) play();
    },
    update(d) { api.setData(d); },
    /** [{label, points, losses, diverged_at}] in run order, as optlib.trajectory records them. */
    trajectories: () => trajectoriesOf(model),
    /** The settings the data carries (how the runs were made), or null. */
    settings: () => (model.settings === null ? null : JSON.parse(JSON.stringify(model.settings))),
    state: () => ({
      step,
      steps: model.steps,
      playing,
      printing: printing !== null,
      markers: model.traces.map((t, i) => {
        const k = Math.min(step, t.n - 1);
        return { label: t.label, index: k, x: k >= 0 ? t.x[k] : null, y: k >= 0 ? t.y[k] : null,
          px: markers[i]?.px ?? null, py: markers[i]?.py ?? null, diverged: t.d >= 0 && step >= t.d };
      }),
    }),
    destroy() {
      pause();
      if (ro) ro.disconnect();
      else win.removeEventListener("resize", onResize);
      unwatchTheme();
      unwatchPrint();
      root.removeEventListener("keydown", onKey);
      ui.body.remove();
      if (root.optlibPlayer === api) delete root.optlibPlayer;
    },
  };
  root.optlibPlayer = api;
  return api;
};

return Object.freeze({ mount, mountGrid, version: VERSION });
