/* optlib player: animates optimizer trajectories over a pre-rendered landscape.
 *
 * One source for both lives of an animation (DESIGN.md, "Animations: one object, two lives"):
 * optlib/viz/player.py wraps this file in a classic <script> for the static HTML player, and
 * optlib/viz/explorer.py appends an `export default` to use it as the widget's ES module.
 *
 * It defines one function, optlibPlayer(root, spec). The function builds the player inside
 * `root`, reads and writes nothing outside it (every query is scoped to `root`), and returns
 * {update(spec), destroy(), state()}. `spec` is the JSON that optlib/viz/player.py writes:
 * a background image with its data extent, and per trajectory its points and losses (only
 * finite numbers; a diverged run ends at its last finite point and carries `diverged_at`).
 */
function optlibPlayer(root, spec) {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var ICONS = {
    first: "M5 5h2v14H5zM14 5l-7 7 7 7zM21 5l-7 7 7 7z",
    prev: "M15 5 6 12l9 7zM17 5h2v14h-2z",
    play: "M7 4.5v15L19.5 12z",
    pause: "M6.5 5h4v14h-4zM13.5 5h4v14h-4z",
    next: "M5 5h2v14H5zM9 5l9 7-9 7z",
    last: "M17 5h2v14h-2zM10 5l7 7-7 7zM3 5l7 7-7 7z"
  };
  var SPEEDS = [0.25, 0.5, 1, 2, 4];
  var doc = root.ownerDocument;
  var win = doc.defaultView || window;
  var uid = root.id || "optlib-player-" + Math.random().toString(36).slice(2, 10);
  root.id = uid;

  // -- state ---------------------------------------------------------------------------
  var S = null; // the normalized spec
  var step = 0; // the frame shown: step t of every run (a shorter run stays at its end)
  var playing = false;
  var raf = 0;
  var lastTs = null;
  var acc = 0;
  var speed = 1;
  var img = null;
  var mapL = null; // layout of the landscape canvas: {W, H, x, y, w, h}
  var lossL = null; // layout of the loss canvas, plus its scales
  var lastWidth = -1;

  // -- DOM -------------------------------------------------------------------------------
  function make(tag, cls, parent, attrs) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function icon(name) {
    var svg = doc.createElementNS(SVGNS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = doc.createElementNS(SVGNS, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }
  function button(name, label, parent) {
    var b = make("button", "optlib-btn optlib-" + name, parent, { type: "button", "aria-label": label, title: label });
    b.appendChild(icon(name));
    return b;
  }

  var stale = root.querySelectorAll(".optlib-fallback, .optlib-body");
  for (var i = 0; i < stale.length; i++) stale[i].parentNode.removeChild(stale[i]);
  root.classList.add("optlib-player");
  root.setAttribute("data-optlib-player", "");
  root.setAttribute("role", "group");
  if (!root.hasAttribute("tabindex")) root.setAttribute("tabindex", "0");

  var body = make("div", "optlib-body", root);
  var titleEl = make("div", "optlib-title", body);
  var noteEl = make("div", "optlib-note", body);
  var figs = make("div", "optlib-figs", body);
  var mapPanel = make("div", "optlib-panel optlib-panel-map", figs);
  var mapCanvas = make("canvas", "optlib-map", mapPanel, { role: "img" });
  var lossPanel = make("div", "optlib-panel optlib-panel-loss", figs);
  var lossCanvas = make("canvas", "optlib-losschart", lossPanel, { role: "img" });
  var legend = make("ul", "optlib-legend", body, { "aria-label": "Legend" });
  var bar = make("div", "optlib-controls", body);
  var bFirst = button("first", "Go to the first step", bar);
  var bPrev = button("prev", "Previous step", bar);
  var bPlay = button("play", "Play", bar);
  var playText = make("span", "optlib-btn-text", bPlay);
  playText.textContent = "Play";
  var bNext = button("next", "Next step", bar);
  var bLast = button("last", "Go to the last step", bar);
  var stepBox = make("div", "optlib-stepbox", bar);
  var sliderLabel = make("label", "optlib-label", stepBox, { "for": uid + "-step" });
  sliderLabel.textContent = "Step";
  var slider = make("input", "optlib-slider", stepBox, { type: "range", id: uid + "-step", min: "0", step: "1", value: "0" });
  var readout = make("output", "optlib-readout", stepBox, { "for": uid + "-step", "aria-live": "off" });
  var speedBox = make("div", "optlib-speedbox", bar);
  var speedLabel = make("label", "optlib-label", speedBox, { "for": uid + "-speed" });
  speedLabel.textContent = "Speed";
  var speedSel = make("select", "optlib-speed", speedBox, { id: uid + "-speed" });
  SPEEDS.forEach(function (s) {
    var o = make("option", "", speedSel, { value: String(s) });
    o.textContent = s + "\u00d7";
    if (s === 1) o.selected = true;
  });

  // -- numbers ---------------------------------------------------------------------------
  function minus(s) { return s.replace(/-/g, "\u2212"); } // a typographic minus sign
  function fmt(v) {
    if (v === 0) return "0";
    var a = Math.abs(v);
    if (a >= 1e5 || a < 1e-3) {
      var e = v.toExponential(3).split("e");
      return minus(e[0].replace(/\.?0+$/, "") + "e" + e[1].replace("+", ""));
    }
    return minus(String(parseFloat(v.toPrecision(4))));
  }
  var SUP = { "-": "\u207b", "0": "\u2070", "1": "\u00b9", "2": "\u00b2", "3": "\u00b3", "4": "\u2074", "5": "\u2075", "6": "\u2076", "7": "\u2077", "8": "\u2078", "9": "\u2079" };
  function pow10(e) {
    if (e === 0) return "1";
    if (e === 1) return "10";
    return "10" + String(e).split("").map(function (c) { return SUP[c]; }).join("");
  }
  function niceTicks(lo, hi, n) {
    var span = hi - lo;
    if (!(span > 0)) return [lo];
    var s = Math.pow(10, Math.floor(Math.log(span / n) / Math.LN10));
    var err = (n / span) * s;
    if (err <= 0.15) s *= 10;
    else if (err <= 0.35) s *= 5;
    else if (err <= 0.75) s *= 2;
    var out = [];
    for (var k = Math.ceil(lo / s - 1e-9); k * s <= hi + s * 1e-9; k++) out.push(parseFloat((k * s).toPrecision(12)));
    out.step = s;
    return out;
  }
  function tickText(v, s) {
    if (v === 0) return "0";
    if (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3) return fmt(v);
    var d = Math.max(0, -Math.floor(Math.log(s) / Math.LN10 + 1e-9));
    return minus(v.toFixed(Math.min(d, 6)));
  }

  // -- spec ------------------------------------------------------------------------------
  function normalize(sp) {
    var traces = (sp.traces || []).map(function (t, i) {
      var n = Math.min(t.x.length, t.y.length, t.loss.length);
      var d = t.diverged_at === null || t.diverged_at === undefined ? -1 : t.diverged_at;
      return { label: String(t.label || "run " + i), color: t.color || "#0072B2", x: t.x, y: t.y, loss: t.loss, n: n, d: d };
    });
    var steps = 0;
    traces.forEach(function (t) { steps = Math.max(steps, t.n - 1, t.d); });
    var ext = sp.extent || [0, 1, 0, 1];
    return {
      title: sp.title || "",
      note: sp.note || "",
      xlabel: sp.xlabel || "x",
      ylabel: sp.ylabel || "y",
      extent: ext,
      aspect: sp.aspect > 0 ? sp.aspect : (ext[3] - ext[2]) / (ext[1] - ext[0]) || 1,
      image: sp.image || "",
      fps: sp.fps > 0 ? sp.fps : 20,
      lossScale: sp.loss_scale === "linear" ? "linear" : "log",
      traces: traces,
      steps: Math.max(steps, 0)
    };
  }
  function describe() {
    var names = S.traces.map(function (t) { return t.label; }).join(", ") || "no runs";
    mapCanvas.setAttribute("aria-label", (S.title ? S.title + ": " : "") + "contour map of the landscape with the paths of " + names + ".");
    lossCanvas.setAttribute("aria-label", "Loss against step (" + S.lossScale + " scale) for " + names + ".");
    root.setAttribute("aria-label", "Animation" + (S.title ? ": " + S.title : "") + ". Space plays or pauses, arrow keys step.");
    titleEl.textContent = S.title;
    titleEl.style.display = S.title ? "" : "none";
    noteEl.textContent = S.note;
    noteEl.style.display = S.note ? "" : "none";
  }
  function buildLegend() {
    while (legend.firstChild) legend.removeChild(legend.firstChild);
    S.traces.forEach(function (t) {
      var li = make("li", "", legend);
      var sw = make("span", "optlib-swatch", li, { "aria-hidden": "true" });
      sw.style.background = t.color;
      make("span", "optlib-name", li).textContent = t.label;
      t.valEl = make("span", "optlib-val", li);
      t.badge = make("span", "optlib-badge", li);
      t.badge.textContent = t.d >= 0 ? "diverged at step " + t.d : "";
      t.badge.style.display = "none";
    });
  }
  function setSpec(sp) {
    var prevImage = S ? S.image : null;
    S = normalize(sp);
    slider.max = String(S.steps);
    describe();
    buildLegend();
    if (S.image !== prevImage) {
      img = null;
      if (S.image) {
        var im = new win.Image();
        im.onload = function () { if (img === im) render(); };
        im.src = S.image;
        img = im;
      }
    }
    lastWidth = -1;
  }

  // -- layout and drawing ------------------------------------------------------------------
  function ctx2d(c, w, h) {
    var r = win.devicePixelRatio || 1;
    c.width = Math.max(1, Math.round(w * r));
    c.height = Math.max(1, Math.round(h * r));
    c.style.height = h + "px";
    var g = c.getContext("2d");
    g.setTransform(r, 0, 0, r, 0, 0);
    return g;
  }
  function font(g, px, weight) {
    var fam = win.getComputedStyle(root).fontFamily || "sans-serif";
    g.font = (weight || "") + " " + px + "px " + fam;
  }
  function layout() {
    var W = mapPanel.clientWidth;
    if (W === lastWidth || W <= 0) return false;
    lastWidth = W;
    var m = { l: 50, r: 12, t: 8, b: 40 };
    var w = Math.max(40, W - m.l - m.r);
    var h = w * S.aspect;
    var maxH = Math.max(240, Math.min(520, win.innerHeight ? win.innerHeight * 0.7 : 520));
    var x = m.l;
    if (h > maxH) {
      h = maxH;
      var w2 = h / S.aspect;
      x += (w - w2) / 2;
      w = w2;
    }
    mapL = { W: W, H: Math.round(h + m.t + m.b), x: x, y: m.t, w: w, h: h };
    mapL.g = ctx2d(mapCanvas, W, mapL.H);
    var LW = lossPanel.clientWidth;
    var side = Math.abs(lossPanel.offsetTop - mapPanel.offsetTop) < 4;
    var LH = side ? mapL.H : Math.round(Math.min(mapL.H, Math.max(180, LW * 0.55)));
    var lm = { l: 56, r: 12, t: 8, b: 40 };
    lossL = { W: LW, H: LH, x: lm.l, y: lm.t, w: Math.max(40, LW - lm.l - lm.r), h: Math.max(40, LH - lm.t - lm.b) };
    lossL.g = ctx2d(lossCanvas, LW, LH);
    lossScales();
    return true;
  }
  function lossScales() {
    var log = S.lossScale === "log";
    var lo = Infinity, hi = -Infinity, lo0 = Infinity, hi0 = -Infinity;
    S.traces.forEach(function (t) {
      for (var k = 0; k < t.n; k++) {
        var v = t.loss[k];
        if (log && !(v > 0)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        if (k === 0) { lo0 = Math.min(lo0, v); hi0 = Math.max(hi0, v); }
      }
    });
    if (!(hi >= lo)) { lo = log ? 0.1 : 0; hi = 1; }
    // A run that blows up would squash every other curve against the axis: the chart keeps
    // a window around the starting losses, and a diverging curve leaves it at the edge.
    if (hi0 >= lo0) {
      if (log) hi = Math.min(hi, hi0 * 1e3);
      else {
        var s0 = Math.max(Math.abs(hi0), Math.abs(lo0), hi0 - lo0) || 1;
        hi = Math.min(hi, hi0 + 20 * s0);
        lo = Math.max(lo, lo0 - 20 * s0);
      }
    }
    var ticks;
    if (log) {
      lo = Math.max(lo, hi * 1e-16);
      var e0 = Math.floor(Math.log(lo) / Math.LN10 + 1e-9), e1 = Math.ceil(Math.log(hi) / Math.LN10 - 1e-9);
      if (e1 <= e0) e1 = e0 + 1;
      var stride = Math.max(1, Math.ceil((e1 - e0) / Math.max(2, Math.floor(lossL.h / 36))));
      ticks = [];
      for (var e = e0; e <= e1; e += stride) ticks.push({ v: Math.pow(10, e), s: pow10(e) });
      lossL.lo = e0;
      lossL.hi = e1;
      lossL.fy = function (v) { var l = Math.log(Math.max(v, 1e-300)) / Math.LN10; return lossL.y + lossL.h * (1 - (l - e0) / (e1 - e0)); };
    } else {
      var pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.1 || 1;
      lo -= pad;
      hi += pad;
      var nt = niceTicks(lo, hi, Math.max(2, Math.floor(lossL.h / 40)));
      ticks = nt.map(function (v) { return { v: v, s: tickText(v, nt.step || 1) }; });
      lossL.fy = function (v) { return lossL.y + lossL.h * (1 - (v - lo) / (hi - lo)); };
    }
    lossL.yticks = ticks;
    var xt = niceTicks(0, Math.max(1, S.steps), Math.max(2, Math.floor(lossL.w / 70)));
    lossL.xticks = xt.filter(function (v) { return v === Math.round(v); });
    lossL.xs = function (k) { return lossL.x + (lossL.w * k) / Math.max(1, S.steps); };
  }
  function mapX(v) { var e = S.extent; return mapL.x + ((v - e[0]) / (e[1] - e[0])) * mapL.w; }
  function mapY(v) { var e = S.extent; return mapL.y + mapL.h - ((v - e[2]) / (e[3] - e[2])) * mapL.h; }

  function axes(g, L, xticks, yticks, xlabel, ylabel, ypos, xpos) {
    g.save();
    font(g, 11);
    g.fillStyle = "#57606a";
    g.strokeStyle = "#8c959f";
    g.lineWidth = 1;
    g.textAlign = "center";
    g.textBaseline = "top";
    xticks.forEach(function (t) {
      var px = Math.round(xpos(t.v)) + 0.5;
      g.beginPath(); g.moveTo(px, L.y + L.h); g.lineTo(px, L.y + L.h + 4); g.stroke();
      var half = g.measureText(t.s).width / 2;
      g.fillText(t.s, Math.min(Math.max(px, half + 1), L.W - half - 1), L.y + L.h + 6);
    });
    g.textAlign = "right";
    g.textBaseline = "middle";
    yticks.forEach(function (t) {
      var py = Math.round(ypos(t.v)) + 0.5;
      g.beginPath(); g.moveTo(L.x - 4, py); g.lineTo(L.x, py); g.stroke();
      g.fillText(t.s, L.x - 6, py);
    });
    g.strokeStyle = "#6e7781";
    g.strokeRect(Math.round(L.x) + 0.5, Math.round(L.y) + 0.5, Math.round(L.w), Math.round(L.h));
    font(g, 12);
    g.fillStyle = "#24292f";
    g.textAlign = "center";
    g.textBaseline = "bottom";
    g.fillText(xlabel, L.x + L.w / 2, L.H - 2);
    g.save();
    g.translate(11, L.y + L.h / 2);
    g.rotate(-Math.PI / 2);
    g.textBaseline = "middle";
    g.fillText(ylabel, 0, 0);
    g.restore();
    g.restore();
  }
  function cross(g, x, y, r, color) {
    g.save();
    g.lineCap = "round";
    g.strokeStyle = "#1f2328";
    g.lineWidth = 5;
    g.beginPath(); g.moveTo(x - r, y - r); g.lineTo(x + r, y + r); g.moveTo(x + r, y - r); g.lineTo(x - r, y + r); g.stroke();
    g.strokeStyle = color;
    g.lineWidth = 2.6;
    g.stroke();
    g.restore();
  }
  function dot(g, x, y, r, color) {
    g.beginPath();
    g.arc(x, y, r, 0, 2 * Math.PI);
    g.fillStyle = color;
    g.fill();
    g.lineWidth = 1.5;
    g.strokeStyle = "#1f2328";
    g.stroke();
  }
  function shown(t) { return Math.min(step, t.n - 1); }
  function isDiverged(t) { return t.d >= 0 && step >= t.d; }

  function drawMap() {
    var g = mapL.g, L = mapL, e = S.extent;
    g.clearRect(0, 0, L.W, L.H);
    if (img && img.complete && img.naturalWidth) g.drawImage(img, L.x, L.y, L.w, L.h);
    else { g.fillStyle = "#eef0f2"; g.fillRect(L.x, L.y, L.w, L.h); }
    var n = Math.max(2, Math.floor(L.w / 70)), m = Math.max(2, Math.floor(L.h / 55));
    var xt = niceTicks(e[0], e[1], n), yt = niceTicks(e[2], e[3], m);
    axes(g, L,
      xt.map(function (v) { return { v: v, s: tickText(v, xt.step || 1) }; }),
      yt.map(function (v) { return { v: v, s: tickText(v, yt.step || 1) }; }),
      S.xlabel, S.ylabel, mapY, mapX);
    g.save();
    g.beginPath(); g.rect(L.x, L.y, L.w, L.h); g.clip();
    g.lineJoin = "round";
    S.traces.forEach(function (t) {
      var k = shown(t);
      if (k < 0) return;
      g.beginPath();
      for (var j = 0; j <= k; j++) {
        var px = mapX(t.x[j]), py = mapY(t.y[j]);
        if (j === 0) g.moveTo(px, py); else g.lineTo(px, py);
      }
      g.strokeStyle = "rgba(255,255,255,0.85)";
      g.lineWidth = 4;
      g.stroke();
      g.strokeStyle = t.color;
      g.lineWidth = 2;
      g.stroke();
      if (t.n <= 400) {
        g.fillStyle = t.color;
        for (j = 0; j <= k; j++) { g.beginPath(); g.arc(mapX(t.x[j]), mapY(t.y[j]), 1.7, 0, 2 * Math.PI); g.fill(); }
      }
      g.beginPath();
      g.arc(mapX(t.x[0]), mapY(t.y[0]), 4, 0, 2 * Math.PI);
      g.lineWidth = 2;
      g.strokeStyle = "#1f2328";
      g.fillStyle = "#ffffff";
      g.fill();
      g.stroke();
    });
    g.restore();
    S.traces.forEach(function (t) {
      var k = shown(t);
      if (k < 0) return;
      var px = mapX(t.x[k]), py = mapY(t.y[k]);
      var cx = Math.min(Math.max(px, L.x), L.x + L.w), cy = Math.min(Math.max(py, L.y), L.y + L.h);
      t.px = cx; t.py = cy;
      if (cx !== px || cy !== py) {
        // the run has left the picture: an arrow on the frame points to where it went
        var a = Math.atan2(py - cy, px - cx);
        g.save();
        g.translate(cx, cy);
        g.rotate(a);
        g.beginPath(); g.moveTo(2, 0); g.lineTo(-11, -7); g.lineTo(-11, 7); g.closePath();
        g.fillStyle = t.color; g.fill();
        g.lineWidth = 1.5; g.strokeStyle = "#1f2328"; g.stroke();
        g.restore();
      } else if (isDiverged(t)) cross(g, px, py, 6, t.color);
      else dot(g, px, py, 6, t.color);
    });
  }

  function drawLoss() {
    var g = lossL.g, L = lossL;
    g.clearRect(0, 0, L.W, L.H);
    var yOf = L.fy;
    g.save();
    g.strokeStyle = "#eaeef2";
    g.lineWidth = 1;
    L.yticks.forEach(function (t) { var py = Math.round(yOf(t.v)) + 0.5; g.beginPath(); g.moveTo(L.x, py); g.lineTo(L.x + L.w, py); g.stroke(); });
    g.restore();
    axes(g, L, L.xticks.map(function (v) { return { v: v, s: String(v) }; }), L.yticks,
      "step", S.lossScale === "log" ? "loss (log scale)" : "loss", yOf, L.xs);
    g.save();
    g.beginPath(); g.rect(L.x, L.y, L.w, L.h); g.clip();
    var cx = Math.round(L.xs(step)) + 0.5;
    g.strokeStyle = "#8c959f"; g.setLineDash([4, 3]); g.lineWidth = 1;
    g.beginPath(); g.moveTo(cx, L.y); g.lineTo(cx, L.y + L.h); g.stroke();
    g.setLineDash([]);
    g.lineJoin = "round";
    S.traces.forEach(function (t) {
      if (t.n < 1) return;
      function path(upto) {
        g.beginPath();
        for (var j = 0; j <= upto; j++) { var px = L.xs(j), py = yOf(t.loss[j]); if (j === 0) g.moveTo(px, py); else g.lineTo(px, py); }
      }
      path(t.n - 1);
      g.globalAlpha = 0.25; g.strokeStyle = t.color; g.lineWidth = 1.5; g.stroke();
      g.globalAlpha = 1;
      path(shown(t));
      g.lineWidth = 2.2; g.stroke();
    });
    g.restore();
    S.traces.forEach(function (t) {
      var k = shown(t);
      if (k < 0) return;
      var px = L.xs(k), py = Math.min(Math.max(yOf(t.loss[k]), L.y), L.y + L.h);
      if (isDiverged(t)) cross(g, px, py, 5, t.color); else dot(g, px, py, 4.5, t.color);
    });
  }

  function render() {
    if (!S) return;
    layout();
    if (!mapL || !lossL) return;
    drawMap();
    drawLoss();
    readout.textContent = "step " + step + " / " + S.steps;
    slider.setAttribute("aria-valuetext", "step " + step + " of " + S.steps);
    S.traces.forEach(function (t) {
      var k = shown(t);
      t.valEl.textContent = k >= 0 ? "loss " + fmt(t.loss[k]) : "no finite point";
      t.badge.style.display = isDiverged(t) ? "" : "none";
    });
    root.setAttribute("data-step", String(step));
  }

  // -- playback ----------------------------------------------------------------------------
  function setStep(k) {
    step = Math.max(0, Math.min(S.steps, Math.round(k)));
    slider.value = String(step);
    render();
  }
  function setPlaying(on) {
    playing = on;
    bPlay.replaceChild(icon(on ? "pause" : "play"), bPlay.firstChild);
    playText.textContent = on ? "Pause" : "Play";
    bPlay.setAttribute("aria-label", on ? "Pause" : "Play");
    bPlay.setAttribute("title", on ? "Pause" : "Play");
    root.setAttribute("data-playing", on ? "true" : "false");
  }
  function tick(ts) {
    if (!playing) return;
    if (lastTs === null) lastTs = ts;
    acc += (Math.min(ts - lastTs, 250) / 1000) * S.fps * speed;
    lastTs = ts;
    var n = Math.floor(acc);
    if (n > 0) { acc -= n; setStep(step + n); }
    if (step >= S.steps) { pause(); return; }
    raf = win.requestAnimationFrame(tick);
  }
  function play() {
    if (playing || S.steps === 0) return;
    if (step >= S.steps) setStep(0);
    setPlaying(true);
    lastTs = null;
    acc = 0;
    raf = win.requestAnimationFrame(tick);
  }
  function pause() {
    if (raf) win.cancelAnimationFrame(raf);
    raf = 0;
    if (playing) setPlaying(false);
  }
  function toggle() { if (playing) pause(); else play(); }
  function go(k) { pause(); setStep(k); }

  bPlay.addEventListener("click", toggle);
  bFirst.addEventListener("click", function () { go(0); });
  bPrev.addEventListener("click", function () { go(step - 1); });
  bNext.addEventListener("click", function () { go(step + 1); });
  bLast.addEventListener("click", function () { go(S.steps); });
  slider.addEventListener("input", function () { go(+slider.value); });
  speedSel.addEventListener("change", function () { speed = +speedSel.value || 1; });
  function onKey(ev) {
    var tag = ev.target && ev.target.tagName;
    if (tag === "SELECT" || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var k = ev.key;
    if (k === " " || k === "Spacebar") {
      if (tag === "BUTTON") return; // a focused button is clicked by the browser itself
      toggle();
    } else if (tag === "INPUT") {
      return; // the slider handles arrows, Home and End natively
    } else if (k === "ArrowRight" || k === "ArrowUp") go(step + 1);
    else if (k === "ArrowLeft" || k === "ArrowDown") go(step - 1);
    else if (k === "Home") go(0);
    else if (k === "End") go(S.steps);
    else return;
    ev.preventDefault();
  }
  root.addEventListener("keydown", onKey);
  var ro = null;
  function onResize() { lastWidth = -1; render(); }
  if (win.ResizeObserver) {
    ro = new win.ResizeObserver(function () { if (mapPanel.clientWidth !== lastWidth) onResize(); });
    ro.observe(figs);
  } else win.addEventListener("resize", onResize);

  // -- start -------------------------------------------------------------------------------
  setSpec(spec);
  setPlaying(false);
  step = S.steps; // the full paths first: the figure reads well before anyone presses play
  slider.value = String(step);
  render();

  var api = {
    update: function (sp) {
      var was = playing;
      pause();
      setSpec(sp);
      step = was ? 0 : S.steps;
      slider.value = String(step);
      render();
      if (was) play();
    },
    destroy: function () {
      pause();
      if (ro) ro.disconnect(); else win.removeEventListener("resize", onResize);
      root.removeEventListener("keydown", onKey);
      if (body.parentNode) body.parentNode.removeChild(body);
      if (root.optlibPlayer === api) delete root.optlibPlayer;
    },
    state: function () {
      return {
        step: step,
        steps: S.steps,
        playing: playing,
        markers: S.traces.map(function (t) {
          var k = shown(t);
          return { label: t.label, index: k, x: k >= 0 ? t.x[k] : null, y: k >= 0 ? t.y[k] : null, px: t.px, py: t.py, diverged: isDiverged(t) };
        })
      };
    }
  };
  root.optlibPlayer = api; // a handle for tests and for the widget glue, on the element itself
  return api;
}
