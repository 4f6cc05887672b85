// -- controls: the player's DOM (title, canvases, legend, buttons, slider, speed) -------------

const SVGNS = "http://www.w3.org/2000/svg";
const ICONS = {
  first: "M5 5h2v14H5zM14 5l-7 7 7 7zM21 5l-7 7 7 7z",
  prev: "M15 5 6 12l9 7zM17 5h2v14h-2z",
  play: "M7 4.5v15L19.5 12z",
  pause: "M6.5 5h4v14h-4zM13.5 5h4v14h-4z",
  next: "M5 5h2v14H5zM9 5l9 7-9 7z",
  last: "M17 5h2v14h-2zM10 5l7 7-7 7zM3 5l7 7-7 7z",
};
const SPEEDS = [0.25, 0.5, 1, 2, 4];

/** createElement with a class, attributes and a parent. */
const make = (doc, tag, cls, parent, attrs = {}) => {
  const e = doc.createElement(tag);
  if (cls) e.className = cls;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  parent?.appendChild(e);
  return e;
};

const icon = (doc, name) => {
  const svg = doc.createElementNS(SVGNS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = doc.createElementNS(SVGNS, "path");
  path.setAttribute("d", ICONS[name]);
  svg.appendChild(path);
  return svg;
};

/** Build the player inside `root` (replacing a fallback or an earlier body); the parts by name. */
const buildControls = (root) => {
  const doc = root.ownerDocument;
  const uid = root.id;
  root.querySelectorAll(".optlib-fallback, .optlib-body").forEach((e) => e.remove());
  root.classList.add("optlib-player");
  root.setAttribute("data-optlib-player", "");
  root.setAttribute("role", "group");
  if (!root.hasAttribute("tabindex")) root.setAttribute("tabindex", "0");

  const body = make(doc, "div", "optlib-body", root);
  const title = make(doc, "div", "optlib-title", body);
  const note = make(doc, "div", "optlib-note", body);
  const figs = make(doc, "div", "optlib-figs", body);
  const mapBox = make(doc, "div", "optlib-panel optlib-panel-map", figs);
  const map = make(doc, "canvas", "optlib-map", mapBox, { role: "img" });
  const lossBox = make(doc, "div", "optlib-panel optlib-panel-loss", figs);
  const loss = make(doc, "canvas", "optlib-losschart", lossBox, { role: "img" });
  const legend = make(doc, "ul", "optlib-legend", body, { "aria-label": "Legend" });
  const bar = make(doc, "div", "optlib-controls", body);
  const button = (name, label) => {
    const attrs = { type: "button", "aria-label": label, title: label };
    const b = make(doc, "button", `optlib-btn optlib-${name}`, bar, attrs);
    b.appendChild(icon(doc, name));
    return b;
  };
  const first = button("first", "Go to the first step");
  const prev = button("prev", "Previous step");
  const play = button("play", "Play");
  const playText = make(doc, "span", "optlib-btn-text", play);
  const next = button("next", "Next step");
  const last = button("last", "Go to the last step");
  const stepBox = make(doc, "div", "optlib-stepbox", bar);
  make(doc, "label", "optlib-label", stepBox, { for: `${uid}-step` }).textContent = "Step";
  const slider = make(doc, "input", "optlib-slider", stepBox,
    { type: "range", id: `${uid}-step`, min: "0", step: "1", value: "0" });
  const readout = make(doc, "output", "optlib-readout", stepBox, { for: `${uid}-step`, "aria-live": "off" });
  const speedBox = make(doc, "div", "optlib-speedbox", bar);
  make(doc, "label", "optlib-label", speedBox, { for: `${uid}-speed` }).textContent = "Speed";
  const speed = make(doc, "select", "optlib-speed", speedBox, { id: `${uid}-speed` });
  for (const s of SPEEDS) {
    const o = make(doc, "option", "", speed, { value: String(s) });
    o.textContent = `${s}\u00d7`;
    o.selected = s === 1;
  }
  return { body, bar, title, note, figs, mapBox, map, lossBox, loss, legend, first, prev, play, playText,
    next, last, slider, readout, speed };
};

/** Show play or pause on the play button. */
const showPlaying = (ui, on) => {
  const doc = ui.play.ownerDocument;
  const word = on ? "Pause" : "Play";
  ui.play.replaceChild(icon(doc, on ? "pause" : "play"), ui.play.firstChild);
  ui.playText.textContent = word;
  ui.play.setAttribute("aria-label", word);
  ui.play.setAttribute("title", word);
};

/** Title, note and the accessible descriptions of the model. */
const describe = (ui, root, model) => {
  const names = model.traces.map((t) => t.label).join(", ") || "no runs";
  const what = model.dim === 1 ? "the curve of the landscape" : "contour map of the landscape";
  const title = model.title ? `${model.title}: ` : "";
  ui.map.setAttribute("aria-label", `${title}${what} with the paths of ${names}.`);
  ui.loss.setAttribute("aria-label", `Loss against step (${model.lossScale} scale) for ${names}.`);
  const named = model.title ? `: ${model.title}` : "";
  root.setAttribute("aria-label", `Animation${named}. Space plays or pauses, arrow keys step.`);
  ui.title.textContent = model.title;
  ui.title.style.display = model.title ? "" : "none";
  ui.note.textContent = model.note;
  ui.note.style.display = model.note ? "" : "none";
};

/** One legend row per run: swatch, name, current loss, a badge if it diverged. */
const buildLegend = (ui, model) => {
  const doc = ui.legend.ownerDocument;
  ui.legend.replaceChildren();
  return model.traces.map((t) => {
    const li = make(doc, "li", "", ui.legend);
    make(doc, "span", "optlib-swatch", li, { "aria-hidden": "true" }).style.background = t.color;
    make(doc, "span", "optlib-name", li).textContent = t.label;
    const value = make(doc, "span", "optlib-val", li);
    const badge = make(doc, "span", "optlib-badge", li);
    badge.textContent = t.d >= 0 ? `diverged at step ${t.d}` : "";
    badge.style.display = "none";
    return { value, badge };
  });
};
