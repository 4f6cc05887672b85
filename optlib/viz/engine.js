/* optlib engine: the 2-D world of optlib in the browser, in float64.
 *
 * Every landscape of optlib/landscapes.py (value and gradient) and the update of every
 * optimizer of optlib/optim, written to mirror the Python line by line: the same names, the
 * same defaults and validation messages, the same order of floating-point operations as
 * torch's CPU kernels and autograd, so run(settings) gives optlib.trajectory.run's numbers to
 * round-off (tests/test_engine.py proves it in Chromium). DESIGN.md, "Animations: one object,
 * two lives".
 *
 * One namespace, no other global: a classic <script> (or a script this file is concatenated
 * into) finds it as globalThis.optlibEngine.
 *
 *   optlibEngine.run({landscape: "rosenbrock", start: [-1.5, 2], steps: 100,
 *                     runs: [{optimizer: "Adam", hparams: {lr: 0.1}}]})
 *   -> [{label: "Adam", points: [[x, y], ...], losses: [...], diverged_at: null}]
 */
globalThis.optlibEngine = (() => {
  "use strict";

  // -- torch's float arithmetic -----------------------------------------------------------
  // torch's CPU kernels (AVX2/AVX-512 builds) fuse a*b + c into one rounding in add(alpha),
  // lerp and addcmul; addcdiv and everything else round each operation. JS has no fma, so
  // fma() below computes the correctly rounded a*b + c from error-free transformations
  // (Boldo & Melquiond 2008, "Emulation of FMA and correctly rounded sums: proved algorithms
  // using rounding to odd", Algorithm 5.4).

  const SPLIT = 134217729; // 2^27 + 1, Veltkamp's splitter
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer); // little endian: words[0] holds the last bit

  // x + y rounded to odd: the truncated sum, with its last bit set when inexact.
  function addOdd(x, y) {
    const s = x + y;
    const z = s - x;
    const e = (x - (s - z)) + (y - z);
    bits[0] = s;
    if (e === 0 || (words[0] & 1) === 1) return s;
    // s is even and inexact: the odd neighbour on the side of the exact sum s + e
    if (e > 0 === s > 0) {
      words[0] += 1;
    } else if (words[0] === 0) {
      words[0] = 0xffffffff;
      words[1] -= 1;
    } else {
      words[0] -= 1;
    }
    return bits[0];
  }

  function fma(a, b, c) {
    const ab = a * b;
    // Where the error-free transforms below are not exact (a product or sum near overflow,
    // a rounding error below the smallest normal, non-finite input), fall back to two
    // roundings: a run there is diverging or at the underflow limit, and the two results differ
    // by at most one rounding of a*b.
    const m = Math.abs(ab);
    if (!(m < 1e300 && Math.abs(a) < 1e290 && Math.abs(b) < 1e290 && Math.abs(c) < 1e300)
      || (m < 1e-280 && ab !== 0) || (ab === 0 && a !== 0 && b !== 0)) return ab + c;
    // a*b = ab + err exactly (Dekker)
    let t = SPLIT * a;
    const ah = t - (t - a), al = a - ah;
    t = SPLIT * b;
    const bh = t - (t - b), bl = b - bh;
    const err = ((ah * bh - ab) + ah * bl + al * bh) + al * bl;
    // c + ab = s + e exactly (Knuth's two-sum)
    const s = c + ab;
    const z = s - c;
    const e = (c - (s - z)) + (ab - z);
    return s + addOdd(e, err);
  }

  // torch's lerp: one form for weights below 0.5, another above, each one fma
  const lerp = (a, b, w) => (Math.abs(w) < 0.5 ? fma(w, b - a, a) : fma(w - 1, b - a, b));
  // torch's addcmul: self + value * t1 * t2 as fma(value * t1, t2, self)
  const addcmul = (self, t1, t2, value) => fma(value * t1, t2, self);
  // torch's addcdiv: self + value * t1 / t2, rounded operation by operation
  const addcdiv = (self, t1, t2, value) => self + value * t1 / t2;
  // torch's add(other, alpha): self + alpha * other, one fma
  const add = (self, other, alpha) => fma(alpha, other, self);

  // The elementary functions of tensors (torch.sqrt, torch.exp, ...). torch takes them from
  // MKL's vector math library, which is not correctly rounded (about 1.3% of its float64 square
  // roots are one ulp from the IEEE root); the browser's are the IEEE root and fdlibm. So
  // through these the engine agrees with optlib to round-off, not bit for bit. Math.sqrt
  // elsewhere stands for Python's math.sqrt on a float. Tests swap in torch's values here.
  const libm = { sqrt: Math.sqrt, exp: Math.exp, sin: Math.sin, cos: Math.cos };

  // -- Python's text for numbers, for identical messages ----------------------------------

  // repr(float(x)): the shortest round-trip digits, scientific below 1e-4 and from 1e16
  function pyRepr(x) {
    if (typeof x === "boolean") return x ? "True" : "False";
    if (typeof x !== "number") return String(x);
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
    const [mant, ex] = x.toExponential().split("e");
    const exp = Number(ex);
    if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
    const s = String(x);
    return s.includes(".") ? s : `${s}.0`;
  }

  // format(x, "g"): six significant digits, trailing zeros dropped
  function pyG(x) {
    if (x === 0) return "0";
    const [mant, ex] = x.toExponential(5).split("e");
    const exp = Number(ex);
    const digits = mant.replace(/\.?0+$/, "");
    if (exp < -4 || exp >= 6) return `${digits}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
    return String(Number(x.toPrecision(6)));
  }

  // -- landscapes --------------------------------------------------------------------------
  // value(p) is the Python fn; grad(p) is what autograd computes for it, product by product
  // and in the order autograd adds the contributions of a variable used several times.
  // 2-D points are [x, y], 1-D points [x].

  const PI2 = 2 * Math.PI;

  function landscape(name, dim, domain, minimizers, minimum, start, value, grad) {
    return { name, dim, domain, minimizers, minimum, start, value, grad };
  }

  const parabola = landscape("parabola", 1, [[-2, 2]], [[0]], 0, [1.5],
    ([x]) => x * x,
    ([x]) => [2 * x]);

  const x_sin = landscape("x sin(-pi x)", 1, [[-1, 3]],
    [[-0.6457736765434056], [0.6457736765434056], [2.5396881748167717]], -2.519972588598207, [1.2],
    ([x]) => x * libm.sin(-Math.PI * x),
    ([x]) => {
      const a = -Math.PI * x;
      // d/dx [x sin(a)] = sin(a) + x cos(a) (-pi)
      return [libm.sin(a) + (x * libm.cos(a)) * -Math.PI];
    });

  function quadratic(a, b, name = null, domain = [[-2, 2], [-2, 2]], start = [-1.5, 1.5]) {
    if (!(a > 0 && b > 0)) {
      throw new Error(`Invalid curvatures: a=${pyRepr(a)}, b=${pyRepr(b)} (both must be > 0)`);
    }
    return landscape(name || `quadratic(a=${pyG(a)}, b=${pyG(b)})`, 2, domain, [[0, 0]], 0, start,
      ([x, y]) => 0.5 * (a * (x * x) + b * (y * y)),
      ([x, y]) => [(0.5 * a) * (2 * x), (0.5 * b) * (2 * y)]);
  }

  const bowl = quadratic(1, 1, "bowl");
  const valley = quadratic(0.2, 4, "valley", [[-6, 6], [-3, 3]], [-5, -2]);

  const saddle = landscape("saddle", 2, [[-2, 2], [-2, 2]], [], null, [-1.5, 1e-3],
    ([x, y]) => x * x - y * y,
    ([x, y]) => [2 * x, -(2 * y)]);

  const monkey_saddle = landscape("monkey saddle", 2, [[-1.5, 1.5], [-1.5, 1.5]], [], null, [0.5, 0.1],
    ([x, y]) => x * x * x - (3 * x) * (y * y),
    ([x, y]) => [3 * (x * x) + -(y * y) * 3, -(3 * x) * (2 * y)]);

  const rosenbrock = landscape("Rosenbrock", 2, [[-2, 2], [-1, 3]], [[1, 1]], 0, [-1.5, 2],
    ([x, y]) => {
      const a = 1 - x, c = y - x * x;
      return a * a + 100 * (c * c);
    },
    ([x, y]) => {
      const a = 1 - x, c = y - x * x;
      const gc = 100 * (2 * c);
      return [-(2 * a) + -gc * (2 * x), gc];
    });

  const beale = landscape("Beale", 2, [[-4.5, 4.5], [-4.5, 4.5]], [[3, 0.5]], 0, [1, 1.5],
    ([x, y]) => {
      const y2 = y * y, y3 = y2 * y;
      const t1 = (1.5 - x) + x * y, t2 = (2.25 - x) + x * y2, t3 = (2.625 - x) + x * y3;
      return (t1 * t1 + t2 * t2) + t3 * t3;
    },
    ([x, y]) => {
      const y2 = y * y, y3 = y2 * y;
      const g1 = 2 * ((1.5 - x) + x * y);
      const g2 = 2 * ((2.25 - x) + x * y2);
      const g3 = 2 * ((2.625 - x) + x * y3);
      // autograd meets the terms last to first: x*y^3, -x, x*y^2, -x, x*y, -x
      const gx = ((((g3 * y3 + -g3) + g2 * y2) + -g2) + g1 * y) + -g1;
      const gy = ((g3 * x) * (3 * y2) + (g2 * x) * (2 * y)) + g1 * x;
      return [gx, gy];
    });

  const himmelblau = landscape("Himmelblau", 2, [[-5, 5], [-5, 5]],
    [[3, 2], [-2.805118086952745, 3.131312518250573], [-3.779310253377747, -3.28318599128617],
      [3.584428340330492, -1.848126526964404]], 0, [0, 0],
    ([x, y]) => {
      const a = (x * x + y) - 11, b = (x + y * y) - 7;
      return a * a + b * b;
    },
    ([x, y]) => {
      const a2 = 2 * ((x * x + y) - 11), b2 = 2 * ((x + y * y) - 7);
      return [b2 + a2 * (2 * x), b2 * (2 * y) + a2];
    });

  const ackley = landscape("Ackley", 2, [[-4, 4], [-4, 4]], [[0, 0]], 0, [2.6, 1.7],
    ([x, y]) => {
      const r2 = 0.5 * (x * x + y * y);
      // sqrt has an infinite derivative at 0: clamped like optlib (changes f by < 1e-16)
      const r = libm.sqrt(r2 >= 1e-32 || Number.isNaN(r2) ? r2 : 1e-32);
      const waves = 0.5 * (libm.cos(PI2 * x) + libm.cos(PI2 * y));
      return ((-20 * libm.exp(-0.2 * r) - libm.exp(waves)) + Math.E) + 20;
    },
    ([x, y]) => {
      const r2 = 0.5 * (x * x + y * y);
      const r = libm.sqrt(r2 >= 1e-32 || Number.isNaN(r2) ? r2 : 1e-32);
      const e1 = libm.exp(-0.2 * r);
      const e2 = libm.exp(0.5 * (libm.cos(PI2 * x) + libm.cos(PI2 * y)));
      // through the sqrt (zero below the clamp) and the mean of squares
      const gr2 = r2 >= 1e-32 ? ((-20 * e1) * -0.2) / (2 * r) : 0;
      const gs = gr2 * 0.5;
      // through the waves: d/du exp(...) = -e2 / 2 * (-sin(2 pi u)) * 2 pi
      const gw = -e2 * 0.5;
      const wave = (u) => (gw * -libm.sin(PI2 * u)) * PI2;
      return [wave(x) + gs * (2 * x), wave(y) + gs * (2 * y)];
    });

  const rastrigin = landscape("Rastrigin", 2, [[-5.12, 5.12], [-5.12, 5.12]], [[0, 0]], 0, [2.2, 1.3],
    ([x, y]) => (((20 + x * x) - 10 * libm.cos(PI2 * x)) + y * y) - 10 * libm.cos(PI2 * y),
    ([x, y]) => {
      const wave = (u) => (-10 * -libm.sin(PI2 * u)) * PI2;
      return [wave(x) + 2 * x, wave(y) + 2 * y];
    });

  const landscapes = {
    parabola, x_sin, quadratic, bowl, valley, saddle, monkey_saddle,
    rosenbrock, beale, himmelblau, ackley, rastrigin,
  };

  // -- optimizers ---------------------------------------------------------------------------
  // One update function per optlib core: sgd_(p, grad, state, hparams) changes the point p
  // and the state in place, coordinate by coordinate. The state has torch's keys; an empty
  // object is a fresh state. `step` counts like torch's float32 tensor (exact below 2^24).

  const zeros = (p) => p.map(() => 0);

  function sgd_(p, grad, state, { lr, momentum, dampening, weight_decay, nesterov, maximize }) {
    const mu = momentum, tau = dampening;
    // the buffer is created by the first step (state.momentum_buffer absent until then)
    const first = mu !== 0 && !state.momentum_buffer;
    if (first) state.momentum_buffer = zeros(p);
    const b = state.momentum_buffer;
    for (let i = 0; i < p.length; i++) {
      let g = maximize ? -grad[i] : grad[i];
      // g <- g + lambda theta
      if (weight_decay !== 0) g = add(g, p[i], weight_decay);
      if (mu !== 0) {
        if (first) {
          // b_1 <- g_1
          b[i] = g;
        } else {
          // b_t <- mu b_{t-1} + (1 - tau) g_t
          b[i] = add(b[i] * mu, g, 1 - tau);
        }
        // g <- g + mu b (Nesterov) or g <- b
        g = nesterov ? add(g, b[i], mu) : b[i];
      }
      // theta <- theta - lr g
      p[i] = add(p[i], g, -lr);
    }
  }

  function adagrad_(p, grad, state, { lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize }) {
    const eta = lr_decay;
    if (!("step" in state)) {
      state.step = 0;
      // s_0 <- tau
      state.sum = p.map(() => initial_accumulator_value);
    }
    const s = state.sum;
    // t <- t + 1
    const t = (state.step += 1);
    // lr_t <- lr / (1 + (t - 1) eta)
    const lr_t = lr / (1 + (t - 1) * eta);
    for (let i = 0; i < p.length; i++) {
      let g = maximize ? -grad[i] : grad[i];
      // g_t <- g_t + lambda theta_{t-1}
      if (weight_decay !== 0) g = add(g, p[i], weight_decay);
      // s_t <- s_{t-1} + g_t^2
      s[i] = addcmul(s[i], g, g, 1);
      // theta_t <- theta_{t-1} - lr_t g_t / (sqrt(s_t) + eps)
      p[i] = addcdiv(p[i], g, libm.sqrt(s[i]) + eps, -lr_t);
    }
  }

  function rmsprop_(p, grad, state, { lr, alpha, eps, weight_decay, momentum, centered, maximize }) {
    const mu = momentum;
    if (!("step" in state)) {
      state.step = 0;
      state.square_avg = zeros(p);
      if (mu > 0) state.momentum_buffer = zeros(p);
      if (centered) state.grad_avg = zeros(p);
    }
    const v = state.square_avg, b = state.momentum_buffer, g_bar = state.grad_avg;
    // t <- t + 1 (kept for PyTorch's state layout; the update does not use it)
    state.step += 1;
    for (let i = 0; i < p.length; i++) {
      let g = maximize ? -grad[i] : grad[i];
      // g_t <- g_t + lambda theta_{t-1}
      if (weight_decay !== 0) g = add(g, p[i], weight_decay);
      // v_t <- alpha v_{t-1} + (1 - alpha) g_t^2
      v[i] = addcmul(v[i] * alpha, g, g, 1 - alpha);
      let denom;
      if (centered) {
        // g_bar_t <- alpha g_bar_{t-1} + (1 - alpha) g_t
        g_bar[i] = lerp(g_bar[i], g, 1 - alpha);
        // denom <- sqrt(v_t - g_bar_t^2) + eps
        denom = libm.sqrt(addcmul(v[i], g_bar[i], g_bar[i], -1)) + eps;
      } else {
        // denom <- sqrt(v_t) + eps
        denom = libm.sqrt(v[i]) + eps;
      }
      if (mu > 0) {
        // b_t <- mu b_{t-1} + g_t / denom
        b[i] = addcdiv(b[i] * mu, g, denom, 1);
        // theta_t <- theta_{t-1} - lr b_t
        p[i] = add(p[i], b[i], -lr);
      } else {
        // theta_t <- theta_{t-1} - lr g_t / denom
        p[i] = addcdiv(p[i], g, denom, -lr);
      }
    }
  }

  function adadelta_(p, grad, state, { lr, rho, eps, weight_decay, maximize }) {
    if (!("step" in state)) {
      state.step = 0;
      state.square_avg = zeros(p);
      state.acc_delta = zeros(p);
    }
    const v = state.square_avg, u = state.acc_delta;
    // t <- t + 1 (kept for PyTorch's state layout; the update does not use it)
    state.step += 1;
    for (let i = 0; i < p.length; i++) {
      let g = maximize ? -grad[i] : grad[i];
      // g_t <- g_t + lambda theta_{t-1}
      if (weight_decay !== 0) g = add(g, p[i], weight_decay);
      // v_t <- rho v_{t-1} + (1 - rho) g_t^2
      v[i] = addcmul(v[i] * rho, g, g, 1 - rho);
      // delta_t <- sqrt(u_{t-1} + eps) / sqrt(v_t + eps) g_t
      const delta = (libm.sqrt(u[i] + eps) / libm.sqrt(v[i] + eps)) * g;
      // u_t <- rho u_{t-1} + (1 - rho) delta_t^2
      u[i] = addcmul(u[i] * rho, delta, delta, 1 - rho);
      // theta_t <- theta_{t-1} - lr delta_t
      p[i] = add(p[i], delta, -lr);
    }
  }

  // The start of every Adam-like step: the counter, maximize and the weight decay (L2 or
  // decoupled); returns g_t.
  function adamStart(p, grad, i, lr, weight_decay, decoupled, maximize) {
    const g = maximize ? -grad[i] : grad[i];
    if (weight_decay !== 0 && decoupled) {
      // theta_{t-1} <- (1 - lr lambda) theta_{t-1}
      p[i] *= 1 - lr * weight_decay;
    } else if (weight_decay !== 0) {
      // g_t <- g_t + lambda theta_{t-1}
      return add(g, p[i], weight_decay);
    }
    return g;
  }

  function adamState(p, state, keys) {
    if ("step" in state) return;
    state.step = 0;
    for (const k of keys) state[k] = zeros(p);
  }

  function adam_(p, grad, state, { lr, betas: [beta1, beta2], eps, weight_decay, amsgrad, maximize, decoupled_weight_decay }) {
    adamState(p, state, amsgrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"]);
    const m = state.exp_avg, v = state.exp_avg_sq, v_max = state.max_exp_avg_sq;
    // t <- t + 1
    const t = (state.step += 1);
    for (let i = 0; i < p.length; i++) {
      const g = adamStart(p, grad, i, lr, weight_decay, decoupled_weight_decay, maximize);
      // m_t <- beta1 m_{t-1} + (1 - beta1) g_t
      m[i] = lerp(m[i], g, 1 - beta1);
      // v_t <- beta2 v_{t-1} + (1 - beta2) g_t^2
      v[i] = addcmul(v[i] * beta2, g, g, 1 - beta2);
      let v_t = v[i];
      if (amsgrad) {
        // v_t <- v_max_t = max(v_max_{t-1}, v_t)
        v_t = v_max[i] = Math.max(v_max[i], v_t);
      }
      // v_hat_t <- v_t / (1 - beta2^t)
      const v_hat = v_t / (1 - beta2 ** t);
      // d_t <- sqrt(v_hat_t) + eps
      const d = libm.sqrt(v_hat) + eps;
      // u_t <- m_hat_t / d_t, with m_hat_t = m_t / (1 - beta1^t)
      const u = m[i] / d / (1 - beta1 ** t);
      // theta_t <- theta_{t-1} - lr u_t
      p[i] = add(p[i], u, -lr);
    }
  }

  function adamax_(p, grad, state, { lr, betas: [beta1, beta2], eps, weight_decay, maximize }) {
    adamState(p, state, ["exp_avg", "exp_inf"]);
    const m = state.exp_avg, u = state.exp_inf;
    // t <- t + 1
    const t = (state.step += 1);
    for (let i = 0; i < p.length; i++) {
      const g = adamStart(p, grad, i, lr, weight_decay, false, maximize);
      // m_t <- beta1 m_{t-1} + (1 - beta1) g_t
      m[i] = lerp(m[i], g, 1 - beta1);
      // u_t <- max(beta2 u_{t-1}, |g_t| + eps)
      u[i] = Math.max(u[i] * beta2, Math.abs(g) + eps);
      // m_hat_t <- m_t / (1 - beta1^t)
      const m_hat = m[i] / (1 - beta1 ** t);
      // theta_t <- theta_{t-1} - lr m_hat_t / u_t
      p[i] = addcdiv(p[i], m_hat, u[i], -lr);
    }
  }

  function nadam_(p, grad, state, { lr, betas: [beta1, beta2], eps, weight_decay, momentum_decay, decoupled_weight_decay, maximize }) {
    const psi = momentum_decay;
    if (!("step" in state)) state.mu_product = 1;
    adamState(p, state, ["exp_avg", "exp_avg_sq"]);
    const m = state.exp_avg, v = state.exp_avg_sq;
    // t <- t + 1
    const t = (state.step += 1);
    // mu_t <- beta1 (1 - 0.5 * 0.96^(t psi)),  mu_{t+1} likewise
    const mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi));
    const mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi));
    // Pi_t <- Pi_{t-1} mu_t (torch keeps Pi in a float32 tensor: rounded to float32)
    const mu_product = (state.mu_product = Math.fround(state.mu_product * Math.fround(mu)));
    for (let i = 0; i < p.length; i++) {
      const g = adamStart(p, grad, i, lr, weight_decay, decoupled_weight_decay, maximize);
      // m_t <- beta1 m_{t-1} + (1 - beta1) g_t
      m[i] = lerp(m[i], g, 1 - beta1);
      // v_t <- beta2 v_{t-1} + (1 - beta2) g_t^2
      v[i] = addcmul(v[i] * beta2, g, g, 1 - beta2);
      // v_hat_t <- v_t / (1 - beta2^t)
      const v_hat = v[i] / (1 - beta2 ** t);
      const denom = libm.sqrt(v_hat) + eps;
      // theta_t <- theta_{t-1} - lr m_hat_t / (sqrt(v_hat_t) + eps), one term at a time
      // of m_hat_t = (1 - mu_t) g_t / (1 - Pi_t) + mu_{t+1} m_t / (1 - Pi_t mu_{t+1})
      p[i] = addcdiv(p[i], g, denom, -lr * (1 - mu) / (1 - mu_product));
      p[i] = addcdiv(p[i], m[i], denom, -lr * mu_next / (1 - mu_product * mu_next));
    }
  }

  function radam_(p, grad, state, { lr, betas: [beta1, beta2], eps, weight_decay, decoupled_weight_decay, maximize }) {
    // rho_inf <- 2 / (1 - beta2) - 1
    const rho_inf = 2 / (1 - beta2) - 1;
    adamState(p, state, ["exp_avg", "exp_avg_sq"]);
    const m = state.exp_avg, v = state.exp_avg_sq;
    // t <- t + 1
    const t = (state.step += 1);
    // rho_t <- rho_inf - 2 t beta2^t / (1 - beta2^t)
    const rho_t = rho_inf - 2 * t * beta2 ** t / (1 - beta2 ** t);
    for (let i = 0; i < p.length; i++) {
      const g = adamStart(p, grad, i, lr, weight_decay, decoupled_weight_decay, maximize);
      // m_t <- beta1 m_{t-1} + (1 - beta1) g_t
      m[i] = lerp(m[i], g, 1 - beta1);
      // v_t <- beta2 v_{t-1} + (1 - beta2) g_t^2
      v[i] = addcmul(v[i] * beta2, g, g, 1 - beta2);
      // m_hat_t <- m_t / (1 - beta1^t)
      const m_hat = m[i] / (1 - beta1 ** t);
      if (rho_t > 5) {
        // l_t <- sqrt(1 - beta2^t) / (sqrt(v_t) + eps)   (torch: a reciprocal, then a product)
        const l = (1 / (libm.sqrt(v[i]) + eps)) * Math.sqrt(1 - beta2 ** t);
        // r_t <- sqrt((rho_t-4)(rho_t-2) rho_inf / ((rho_inf-4)(rho_inf-2) rho_t))
        const r = Math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t));
        // theta_t <- theta_{t-1} - lr r_t m_hat_t l_t
        p[i] = addcmul(p[i], m_hat, l, -lr * r);
      } else {
        // theta_t <- theta_{t-1} - lr m_hat_t
        p[i] = add(p[i], m_hat, -lr);
      }
    }
  }

  // -- the constructors: defaults and checks of optlib.optim (torch.optim's messages) -------

  function check(ok, message) {
    if (!ok) throw new Error(message);
  }

  // check_adam_args in optlib/optim/_common.py
  function checkAdamArgs({ lr, betas, eps, weight_decay }) {
    check(0 <= lr, `Invalid learning rate: ${pyRepr(lr)}`);
    check(0 <= eps, `Invalid epsilon value: ${pyRepr(eps)}`);
    check(0 <= betas[0] && betas[0] < 1, `Invalid beta parameter at index 0: ${pyRepr(betas[0])}`);
    check(0 <= betas[1] && betas[1] < 1, `Invalid beta parameter at index 1: ${pyRepr(betas[1])}`);
    check(0 <= weight_decay, `Invalid weight_decay value: ${pyRepr(weight_decay)}`);
  }

  const ADAM_DEFAULTS = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0 };

  const optimizers = {
    SGD: {
      update: sgd_,
      defaults: { lr: 1e-3, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false },
      validate({ lr, momentum, weight_decay, nesterov, dampening }) {
        check(!(lr < 0), `Invalid learning rate: ${pyRepr(lr)}`);
        check(!(momentum < 0), `Invalid momentum value: ${pyRepr(momentum)}`);
        check(!(weight_decay < 0), `Invalid weight_decay value: ${pyRepr(weight_decay)}`);
        check(!(nesterov && (momentum <= 0 || dampening !== 0)),
          "Nesterov momentum requires a momentum and zero dampening");
      },
    },
    Adagrad: {
      update: adagrad_,
      defaults: { lr: 1e-2, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10, maximize: false },
      validate({ lr, lr_decay, weight_decay, initial_accumulator_value, eps }) {
        check(0 <= lr, `Invalid learning rate: ${pyRepr(lr)}`);
        check(0 <= lr_decay, `Invalid lr_decay value: ${pyRepr(lr_decay)}`);
        check(0 <= weight_decay, `Invalid weight_decay value: ${pyRepr(weight_decay)}`);
        check(0 <= initial_accumulator_value,
          `Invalid initial_accumulator_value value: ${pyRepr(initial_accumulator_value)}`);
        check(0 <= eps, `Invalid epsilon value: ${pyRepr(eps)}`);
      },
    },
    RMSprop: {
      update: rmsprop_,
      defaults: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false, maximize: false },
      validate({ lr, eps, momentum, weight_decay, alpha }) {
        check(0 <= lr, `Invalid learning rate: ${pyRepr(lr)}`);
        check(0 <= eps, `Invalid epsilon value: ${pyRepr(eps)}`);
        check(0 <= momentum, `Invalid momentum value: ${pyRepr(momentum)}`);
        check(0 <= weight_decay, `Invalid weight_decay value: ${pyRepr(weight_decay)}`);
        check(0 <= alpha, `Invalid alpha value: ${pyRepr(alpha)}`);
      },
    },
    Adadelta: {
      update: adadelta_,
      defaults: { lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0, maximize: false },
      validate({ lr, rho, eps, weight_decay }) {
        check(0 <= lr, `Invalid learning rate: ${pyRepr(lr)}`);
        check(0 <= rho && rho <= 1, `Invalid rho value: ${pyRepr(rho)}`);
        check(0 <= eps, `Invalid epsilon value: ${pyRepr(eps)}`);
        check(0 <= weight_decay, `Invalid weight_decay value: ${pyRepr(weight_decay)}`);
      },
    },
    Adam: {
      update: adam_,
      defaults: { ...ADAM_DEFAULTS, amsgrad: false, maximize: false, decoupled_weight_decay: false },
      validate: checkAdamArgs,
    },
    AdamW: {
      update: adam_,
      defaults: { ...ADAM_DEFAULTS, weight_decay: 1e-2, amsgrad: false, maximize: false },
      fixed: { decoupled_weight_decay: true },
      validate: checkAdamArgs,
    },
    Adamax: {
      update: adamax_,
      defaults: { ...ADAM_DEFAULTS, lr: 2e-3, maximize: false },
      validate: checkAdamArgs,
    },
    NAdam: {
      update: nadam_,
      defaults: { ...ADAM_DEFAULTS, lr: 2e-3, momentum_decay: 4e-3, decoupled_weight_decay: false, maximize: false },
      validate(h) {
        checkAdamArgs(h);
        check(0 <= h.momentum_decay, `Invalid momentum_decay value: ${pyRepr(h.momentum_decay)}`);
      },
    },
    RAdam: {
      update: radam_,
      defaults: { ...ADAM_DEFAULTS, decoupled_weight_decay: false, maximize: false },
      validate: checkAdamArgs,
    },
  };

  // What optimizer(params, **hparams) does before its first step: fill in the defaults,
  // refuse unknown keywords (Python's TypeError text) and check the values.
  function configure(name, hparams = {}) {
    const spec = optimizers[name];
    if (!spec) throw new Error(`Unknown optimizer: ${name} (one of ${Object.keys(optimizers).join(", ")})`);
    for (const key of Object.keys(hparams)) {
      if (!(key in spec.defaults)) {
        throw new Error(`${name}.__init__() got an unexpected keyword argument '${key}'`);
      }
    }
    const h = { ...spec.defaults, ...hparams, ...spec.fixed };
    spec.validate(h);
    return h;
  }

  // -- runs ---------------------------------------------------------------------------------

  function getLandscape(ls) {
    if (typeof ls === "object" && ls !== null) return ls;
    const found = landscapes[ls];
    if (!found || typeof found === "function") {
      throw new Error(`Unknown landscape: ${ls} (one of ${Object.keys(landscapes).filter((k) => k !== "quadratic").join(", ")})`);
    }
    return found;
  }

  // optlib.trajectory.run's divergence rule: the run stops at the first step t whose point or
  // loss is not finite; diverged_at = t, and every point before it is kept.
  function diverged(x, loss) {
    return !(x.every(Number.isFinite) && Number.isFinite(loss));
  }

  // One optimizer from one start: optlib.trajectory.run(landscape, cls, start, steps, **hparams).
  function runOne(land, start, steps, { optimizer, hparams = {}, label = "" }) {
    const h = configure(optimizer, hparams);
    const update = optimizers[optimizer].update;
    const x = start.slice();
    const state = {};
    const points = [], losses = [];
    let diverged_at = null;
    for (let t = 0; t <= steps; t++) {
      const loss = land.value(x);
      if (diverged(x, loss)) {
        diverged_at = t;
        break;
      }
      points.push(x.slice());
      losses.push(loss);
      if (t === steps) break;
      update(x, land.grad(x), state, h);
    }
    return { label: label || optimizer, points, losses, diverged_at };
  }

  // settings = {landscape, start: [x, y], steps, runs: [{optimizer, hparams, label?}]}
  function run({ landscape: ls, start, steps, runs }) {
    const land = getLandscape(ls);
    if (!Number.isInteger(steps) || steps < 0) {
      throw new Error(`Invalid steps: ${steps} (must be an integer >= 0)`);
    }
    const x0 = typeof start === "number" ? [start] : Array.from(start ?? land.start);
    if (x0.length !== land.dim || !x0.every(Number.isFinite)) {
      throw new Error(`Invalid x0: [${x0.map(pyRepr).join(", ")}] (must be finite, ${land.dim} coordinate(s))`);
    }
    return runs.map((spec) => runOne(land, x0, steps, spec));
  }

  return {
    landscapes, optimizers, run, configure,
    sgd_, adagrad_, rmsprop_, adadelta_, adam_, adamax_, nadam_, radam_,
    fma, libm, pyRepr,
  };
})();
