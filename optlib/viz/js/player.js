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
  let live = null; // an explorer's settings and controls (live.js), when the engine can run them
  let view3d = null; // the 3-D view's {az, el} while it is shown

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
      rect: mr,
      map: mapPanel(doc, ui.map, model, mr, theme, img, ratio),
      loss: lossPanel(doc, ui.loss, model, lr, theme, ratio),
      surf: view3d && live ? surfacePanel(live.surf, model, live.grid(), theme, view3d, W, ratio) : null,
    };
    return true;
  };

  const render = () => {
    if (!model || !layout()) return;
    markers = panels.map.draw(step);
    panels.surf?.draw(step);
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

  // -- live: the engine recomputes an explorer's runs as its controls move (live.js) ------
  const showRuns = () => {
    const { traces, errors } = computeRuns(live.cur, live.labels);
    const was = playing;
    pause();
    setData({
      traces: traces.map((t) => ({ label: t.label, points: t.points, losses: t.losses,
        diverged_at: t.diverged_at, color: live.colors[t.i] })),
      settings: JSON.parse(JSON.stringify(live.cur)),
    });
    const msg = [errors.length ? `Invalid settings: ${errors.join("; ")}` : "", live.clamped].filter(Boolean);
    live.msg.textContent = msg.join(" ");
    live.msg.style.display = msg.length ? "" : "none";
    step = was ? 0 : model.steps;
    ui.slider.value = String(step);
    render();
    if (was) play();
  };
  // The start stays in the picture's domain; a start outside it is clamped, with a note.
  const clampStart = () => {
    const e = model.extent;
    const c = live.cur.start.map((v, k) => Math.min(Math.max(+v, e[2 * k]), e[2 * k + 1]));
    live.clamped = c.some((v, k) => v !== +live.cur.start[k])
      ? `The start [${live.cur.start.join(", ")}] is outside the picture: moved to [${c.map(fmt).join(", ")}].` : "";
    live.cur.start = c;
  };
  const rebuild = () => buildLive(live.box, root.id, live.cur, live.labels, model.extent, model.dim, change);
  const change = (mutate, structural = false) => {
    mutate();
    live.clamped = "";
    if (structural) rebuild();
    showRuns();
  };
  const setStart = (ev) => {
    const r = panels?.rect;
    if (!r) return;
    const b = ui.map.getBoundingClientRect();
    const e = model.extent;
    const u = (ev.clientX - b.left - r.x) / r.w, v = 1 - (ev.clientY - b.top - r.y) / r.h;
    const xy = [e[0] + u * (e[1] - e[0]), e[2] + v * (e[3] - e[2])].slice(0, model.dim);
    live.cur.start = xy.map((x, k) => Math.min(Math.max(x, e[2 * k]), e[2 * k + 1]));
    live.clamped = "";
    live.cur.start.forEach((x, k) => {
      const input = doc.getElementById(`${root.id}-start${k}`);
      if (input) { input.value = String(x); input.nextSibling.textContent = fmt(x); }
    });
    showRuns();
  };
  const initLive = () => {
    const land = engineLandscape(model.settings);
    if (!land || land.dim !== model.dim) return;
    const surf = make(doc, "canvas", "optlib-surface", ui.mapBox, { tabindex: "0", role: "img",
      "aria-label": "The landscape in 3-D with the paths; drag or use the arrow keys to turn it." });
    surf.style.display = "none";
    let grid = null;
    live = {
      cur: JSON.parse(JSON.stringify(model.settings)),
      colors: model.traces.map((t) => t.color),
      labels: model.traces.map((t) => t.label), // the data's names of runs the settings leave unnamed
      box: make(doc, "div", "optlib-live", ui.body, { role: "group", "aria-label": "Settings of the runs" }),
      msg: make(doc, "div", "optlib-message", ui.body, { role: "alert" }),
      clamped: "",
      surf,
      grid: () => (grid ||= surfaceGrid(land.value, model.extent, model.lossScale === "log")),
    };
    ui.body.insertBefore(live.msg, ui.figs);
    live.msg.style.display = "none";
    rebuild();
    let dragging = false;
    ui.map.classList.add("optlib-draggable");
    ui.map.addEventListener("pointerdown", (ev) => {
      dragging = true;
      ui.map.setPointerCapture?.(ev.pointerId);
      setStart(ev);
    });
    ui.map.addEventListener("pointermove", (ev) => { if (dragging) setStart(ev); });
    const stop = () => { dragging = false; };
    ui.map.addEventListener("pointerup", stop);
    ui.map.addEventListener("pointercancel", stop);
    if (model.dim === 2) {
      const b3 = make(doc, "button", "optlib-btn optlib-3d", ui.bar,
        { type: "button", "aria-pressed": "false", "aria-label": "3-D view", title: "Show the landscape as a surface in 3-D" });
      b3.textContent = "3-D";
      const turn = (da, de) => {
        view3d.az += da;
        view3d.el = Math.min(1.5, Math.max(0.1, view3d.el + de));
        panels?.surf?.draw(step);
      };
      b3.addEventListener("click", () => {
        view3d = view3d ? null : { az: -0.6, el: 0.9 };
        b3.setAttribute("aria-pressed", String(!!view3d));
        ui.map.style.display = view3d ? "none" : "";
        surf.style.display = view3d ? "" : "none";
        redrawAll();
      });
      let last = null;
      surf.addEventListener("pointerdown", (ev) => { last = [ev.clientX, ev.clientY]; surf.setPointerCapture?.(ev.pointerId); });
      surf.addEventListener("pointermove", (ev) => {
        if (!last) return;
        turn((ev.clientX - last[0]) * 0.01, (ev.clientY - last[1]) * 0.01);
        last = [ev.clientX, ev.clientY];
      });
      surf.addEventListener("pointerup", () => { last = null; });
      surf.addEventListener("keydown", (ev) => {
        const d = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, 0.1], ArrowDown: [0, -0.1] }[ev.key];
        if (!d) return;
        ev.preventDefault();
        ev.stopPropagation();
        turn(...d);
      });
    }
    // keys on the settings are theirs (space on a checkbox does not play)
    live.box.addEventListener("keydown", (ev) => ev.stopPropagation());
    clampStart();
    showRuns(); // the engine's own numbers, not the page's rounded copy
  };

  // -- start: the full paths first, so the figure reads before anyone presses play --------
  setData(data);
  initLive();
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
    /** The settings the data carries (how the runs were made; the controls' now), or null. */
    settings: () => (model.settings === null ? null : JSON.parse(JSON.stringify(model.settings))),
    /**
     * Merge partial settings ({start, steps, runs: [{optimizer, hparams}, ...]}; hparams merge
     * key by key) and recompute at once with the engine. Only for a live explorer.
     */
    set(partial) {
      if (!live) throw new Error("This player has no settings the page can recompute.");
      const p = JSON.parse(JSON.stringify(partial || {}));
      if (p.landscape !== undefined && p.landscape !== live.cur.landscape) {
        throw new Error(`The landscape of this player is ${live.cur.landscape} (its picture is fixed).`);
      }
      if (p.start !== undefined) live.cur.start = typeof p.start === "number" ? [p.start] : p.start;
      if (p.steps !== undefined) live.cur.steps = p.steps;
      (p.runs || []).forEach((r, i) => {
        const old = live.cur.runs[i];
        if (!old || !r) return;
        if (r.optimizer !== undefined && r.optimizer !== old.optimizer) {
          old.hparams = { ...(ENGINE.optimizers[r.optimizer]?.defaults || {}), lr: old.hparams?.lr };
          old.optimizer = r.optimizer;
        }
        old.hparams = { ...old.hparams, ...(r.hparams || {}) };
        if (r.label !== undefined) old.label = r.label;
      });
      clampStart();
      rebuild();
      showRuns();
      return api.settings();
    },
    state: () => ({
      plot: panels ? { x: panels.rect.x, y: panels.rect.y, w: panels.rect.w, h: panels.rect.h } : null,
      view3d: view3d && { ...view3d },
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

return Object.freeze({ mount, mountGrid, version: VERSION, engine: ENGINE });
