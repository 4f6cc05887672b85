// -- keyboard: keys when the player (or one of its controls) has focus -----------------------

/** A keydown handler: space plays or pauses, arrows step, Home and End jump. */
const keyHandler = ({ toggle, go, step, steps }) => (ev) => {
  const tag = ev.target?.tagName;
  if (tag === "SELECT" || ev.altKey || ev.ctrlKey || ev.metaKey) return;
  const k = ev.key;
  if (k === " " || k === "Spacebar") {
    if (tag === "BUTTON") return; // a focused button is clicked by the browser itself
    toggle();
  } else if (tag === "INPUT") {
    return; // the slider handles arrows, Home and End natively
  } else if (k === "ArrowRight" || k === "ArrowUp") go(step() + 1);
  else if (k === "ArrowLeft" || k === "ArrowDown") go(step() - 1);
  else if (k === "Home") go(0);
  else if (k === "End") go(steps());
  else return;
  ev.preventDefault();
};
