// -- theme: canvas colours from the page's CSS, and the watchers that say when they change ----

/**
 * Canvas colours, from CSS custom properties set in player.css for the light theme and for
 * the dark one (`data-theme="dark"` on <html>, as the book's theme sets it; JupyterLab's dark
 * themes too). The second entry is the light value, used where the style sheet is missing.
 * The landscape itself stays a light card in both themes (its image is light greys), so the
 * paths, their white halo and the markers' dark outline keep one look there.
 */
const THEME_VARS = {
  fg: ["--optlib-fg", "#1f2328"], // axis labels
  muted: ["--optlib-muted", "#57606a"], // tick labels
  axis: ["--optlib-axis", "#6e7781"], // plot frames
  tick: ["--optlib-tick", "#8c959f"], // tick marks, the loss chart's step cursor
  grid: ["--optlib-grid", "#eaeef2"], // the loss chart's grid lines
  ink: ["--optlib-ink", "#1f2328"], // outline of the markers on the loss chart
  paper: ["--optlib-paper", "#eef0f2"], // the landscape's card where there is no image
  dim: ["--optlib-image-filter", "none"], // a canvas filter for the landscape image
  accent: ["--optlib-accent", "#0072b2"], // the low ground of the 3-D surface
};
const MAP_INK = "#1f2328"; // markers on the landscape: always on its light card
const HALO = "rgba(255,255,255,0.85)";

/** The colours in effect for element `el` now (and its font). */
const readTheme = (el) => {
  const cs = el.ownerDocument.defaultView.getComputedStyle(el);
  const theme = { font: cs.fontFamily || "sans-serif" };
  for (const [key, [name, light]] of Object.entries(THEME_VARS)) {
    theme[key] = cs.getPropertyValue(name).trim() || light;
  }
  return theme;
};

/** Calls onChange when the page's theme may have changed; returns a function that stops it. */
const watchTheme = (win, onChange) => {
  const doc = win.document;
  const mo = new win.MutationObserver(onChange);
  mo.observe(doc.documentElement, { attributes: true, attributeFilter: ["data-theme", "data-mode"] });
  if (doc.body) mo.observe(doc.body, { attributes: true, attributeFilter: ["data-jp-theme-light"] });
  const mq = win.matchMedia ? win.matchMedia("(prefers-color-scheme: dark)") : null;
  mq?.addEventListener?.("change", onChange);
  return () => {
    mo.disconnect();
    mq?.removeEventListener?.("change", onChange);
  };
};

/** Calls start() before printing and end() after (events, and the print media query). */
const watchPrint = (win, start, end) => {
  const mq = win.matchMedia ? win.matchMedia("print") : null;
  const onMedia = (e) => (e.matches ? start() : end());
  win.addEventListener("beforeprint", start);
  win.addEventListener("afterprint", end);
  mq?.addEventListener?.("change", onMedia);
  return () => {
    win.removeEventListener("beforeprint", start);
    win.removeEventListener("afterprint", end);
    mq?.removeEventListener?.("change", onMedia);
  };
};
