// -- format: numbers and axis ticks as text -------------------------------------------------
// The player's script is these files concatenated inside one function (see _assets.py): a
// name defined at the top level of one file is visible to the files after it, and to nothing
// outside the player.

const minus = (s) => s.replace(/-/g, "\u2212"); // a typographic minus sign

/** A loss or coordinate in at most 4 significant digits, exponent form outside [1e-3, 1e5). */
const fmt = (v) => {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    const [mant, exp] = v.toExponential(3).split("e");
    return minus(mant.replace(/\.?0+$/, "") + "e" + exp.replace("+", ""));
  }
  return minus(String(parseFloat(v.toPrecision(4))));
};

const SUPERSCRIPT = { "-": "\u207b", 0: "\u2070", 1: "\u00b9", 2: "\u00b2", 3: "\u00b3", 4: "\u2074",
  5: "\u2075", 6: "\u2076", 7: "\u2077", 8: "\u2078", 9: "\u2079" };

/** 10^e as text: "1", "10", "10³", "10⁻⁴". */
const pow10 = (e) => (e === 0 ? "1" : e === 1 ? "10"
  : "10" + [...String(e)].map((c) => SUPERSCRIPT[c]).join(""));

/** About n round numbers between lo and hi; the array carries its spacing as `.step`. */
const niceTicks = (lo, hi, n) => {
  const span = hi - lo;
  if (!(span > 0)) return Object.assign([lo], { step: 1 });
  let s = 10 ** Math.floor(Math.log10(span / n));
  const err = (n / span) * s;
  if (err <= 0.15) s *= 10;
  else if (err <= 0.35) s *= 5;
  else if (err <= 0.75) s *= 2;
  const out = [];
  for (let k = Math.ceil(lo / s - 1e-9); k * s <= hi + s * 1e-9; k++) {
    out.push(parseFloat((k * s).toPrecision(12)));
  }
  return Object.assign(out, { step: s });
};

/** A tick label with as many decimals as the spacing `s` needs. */
const tickText = (v, s) => {
  if (v === 0) return "0";
  if (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3) return fmt(v);
  const d = Math.max(0, -Math.floor(Math.log10(s) + 1e-9));
  return minus(v.toFixed(Math.min(d, 6)));
};

/** Ticks of [lo, hi] as {v, s} (value, label). */
const linearTicks = (lo, hi, n) => {
  const t = niceTicks(lo, hi, n);
  return t.map((v) => ({ v, s: tickText(v, t.step) }));
};
