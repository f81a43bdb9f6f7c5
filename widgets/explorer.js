/*
 * The course's convolution explorer (notebook_utils.convolution_explorer).
 *
 * Each explorer is a <div class="course-explorer"> holding a JSON block (the integer
 * input and kernel, the limits of the settings, the starting settings), the settings'
 * controls, an SVG drawn by this script, the position controls and three paragraphs:
 * a status line (announced to screen readers), the products under the kernel, and the
 * output size with its formula. The arithmetic is Keras's: "same" padding gives
 * ceil(n / s) outputs with max((ceil(n / s) - 1) s + d (k - 1) + 1 - n, 0) zeros, the
 * extra one at the end. This script, inlined after each explorer (with runtime.js), brings
 * to life every explorer of the page, now and whenever one is copied (Live Code), with
 * the settings the reader chose; it needs nothing but the DOM.
 */
(function () {
  "use strict";
  const SVG_NS = "http://www.w3.org/2000/svg";
  const CELL = 30;
  const GAP = 40;
  const TOP = 24;
  const TITLE_ROOM = 50; // the width the output's title needs, even over a single cell
  // On a narrow screen the drawing is shrunk to fit, down to this scale (numbers of about
  // 9 pixels), and scrolls sideways beyond it.
  const SMALLEST_SCALE = 0.75;
  const MINUS = "\u2212";
  const TIMES = "\u00D7";

  function signed(value) {
    return value < 0 ? MINUS + (-value) : String(value);
  }

  function inParentheses(value) {
    return value < 0 ? "(" + signed(value) + ")" : String(value);
  }

  // Zeros (before, after) on a side of length n, as Keras pads it.
  function paddingZeros(settings) {
    const span = settings.dilation * (settings.k - 1) + 1;
    if (settings.padding === "valid") {
      return [0, 0];
    }
    if (settings.padding === "number") {
      return [settings.zeros, settings.zeros];
    }
    const outputs = Math.ceil(settings.n / settings.stride);
    const total = Math.max((outputs - 1) * settings.stride + span - settings.n, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  }

  // Everything the explorer shows, for one set of settings.
  function convolve(image, kernel, settings) {
    const [before, after] = paddingZeros(settings);
    const n = settings.n;
    const k = settings.k;
    const span = settings.dilation * (k - 1) + 1;
    const padded = n + before + after;
    const side = Math.max(Math.floor((padded - span) / settings.stride) + 1, 0);
    const grid = [];
    for (let r = 0; r < padded; r += 1) {
      const row = [];
      for (let c = 0; c < padded; c += 1) {
        const inside = r >= before && r < before + n && c >= before && c < before + n;
        row.push(inside ? image[r - before][c - before] : null);  // null: a padding zero
      }
      grid.push(row);
    }
    const positions = [];
    for (let i = 0; i < side; i += 1) {
      for (let j = 0; j < side; j += 1) {
        const top = i * settings.stride;
        const left = j * settings.stride;
        const terms = [];
        let sum = 0;
        for (let a = 0; a < k; a += 1) {
          for (let b = 0; b < k; b += 1) {
            const r = top + a * settings.dilation;
            const c = left + b * settings.dilation;
            const value = grid[r][c] === null ? 0 : grid[r][c];
            terms.push({ r: r, c: c, value: value, weight: kernel[a][b] });
            sum += value * kernel[a][b];
          }
        }
        positions.push({ i: i, j: j, top: top, left: left, terms: terms, value: sum });
      }
    }
    return { before: before, after: after, span: span, padded: padded, side: side,
             grid: grid, positions: positions };
  }

  function element(parent, name, attributes, text) {
    const node = document.createElementNS(SVG_NS, name);
    Object.keys(attributes).forEach(function (key) {
      node.setAttribute(key, attributes[key]);
    });
    if (text !== undefined) {
      node.textContent = text;
    }
    parent.appendChild(node);
    return node;
  }

  function cell(parent, x, y, className, text, textClass) {
    element(parent, "rect", { x: x, y: y, width: CELL, height: CELL, class: "cell " + className });
    if (text !== undefined) {
      element(parent, "text", { x: x + CELL / 2, y: y + CELL / 2, class: textClass || "" }, text);
    }
  }

  function formulaText(settings, result) {
    const n = settings.n;
    const k = settings.k;
    const s = settings.stride;
    const d = settings.dilation;
    const lines = [];
    let zeros = "";
    if (settings.padding === "same") {
      lines.push("\u201Csame\u201D: \u2308n / s\u2309 = \u2308" + n + " / " + s + "\u2309 = " +
                 Math.ceil(n / s) + " outputs per side, with p_same = max((\u2308n / s\u2309 " +
                 MINUS + " 1)s + d(k " + MINUS + " 1) + 1 " + MINUS + " n, 0) = max((" +
                 Math.ceil(n / s) + " " + MINUS + " 1)" + TIMES + s + " + " + d + TIMES + "(" +
                 k + " " + MINUS + " 1) + 1 " + MINUS + " " + n + ", 0) = " +
                 (result.before + result.after) + " zeros: " + result.before +
                 " before, " + result.after + " after.");
    } else if (settings.padding === "number") {
      zeros = " (" + settings.zeros + " zeros at each end)";
    }
    lines.push("Output side = \u230A(n + p_before + p_after " + MINUS + " d(k " + MINUS +
               " 1) " + MINUS + " 1) / s\u230B + 1 = \u230A(" + n + " + " + result.before +
               " + " + result.after + " " + MINUS + " " + d + TIMES + "(" + k + " " + MINUS +
               " 1) " + MINUS + " 1) / " + s + "\u230B + 1 = " +
               signed(Math.floor((result.padded - result.span) / s) + 1) + zeros +
               (result.side === 0 ? ", so no output: the kernel does not fit" : "") +
               ". Output shape: " + result.side + " " + TIMES + " " + result.side + ".");
    if (s > 1 && d > 1) {
      lines.push("Keras\u2019s Conv2D refuses a stride above 1 with a dilation above 1; " +
                 "the explorer still applies the formula.");
    }
    return lines.join(" ");
  }

  function start(root, state) {
    const data = JSON.parse(root.querySelector("script.course-explorer-data").textContent);
    const svg = root.querySelector(".course-explorer-canvas svg");
    const status = root.querySelector(".course-explorer-status");
    const sumText = root.querySelector(".course-explorer-sum");
    const formula = root.querySelector(".course-explorer-formula");
    const allButton = root.querySelector("[data-action=all]");
    const inputs = {};
    ["n", "k", "stride", "zeros", "dilation"].forEach(function (name) {
      const input = root.querySelector("input[name=" + name + "]");
      input.min = data.limits[name][0];
      input.max = data.limits[name][1];
      inputs[name] = input;
    });
    const paddingSelect = root.querySelector("select[name=padding]");
    const startPadding = data.start.padding;
    if (!state.settings) {
      state.settings = {
        n: data.start.n, k: data.start.k, stride: data.start.stride, dilation: data.start.dilation,
        padding: typeof startPadding === "number" ? "number" : startPadding,
        zeros: typeof startPadding === "number" ? startPadding : 1
      };
      state.position = data.start.position;
      state.showAll = false;
    }
    const settings = state.settings;
    let position = state.position;
    let showAll = state.showAll;
    let result = null;

    function syncControls() {
      ["n", "k", "stride", "zeros", "dilation"].forEach(function (name) {
        inputs[name].value = settings[name];
      });
      paddingSelect.value = settings.padding;
      inputs.zeros.disabled = settings.padding !== "number";
    }

    function draw() {
      svg.replaceChildren();
      const side = Math.max(result.side, 1);
      const kernelX = result.padded * CELL + GAP;
      const outputX = kernelX + settings.k * CELL + GAP;
      const width = outputX + Math.max(side * CELL, TITLE_ROOM) + 2;
      const height = TOP + Math.max(result.padded, settings.k, side) * CELL + 2;
      svg.setAttribute("viewBox", "-1 0 " + (width + 1) + " " + height);
      svg.setAttribute("width", width + 1);
      svg.setAttribute("height", height);
      svg.style.minWidth = Math.round(SMALLEST_SCALE * (width + 1)) + "px";
      const current = showAll ? null : result.positions[position];
      const taps = {};
      const coverage = {};
      result.positions.forEach(function (p) {
        p.terms.forEach(function (t) {
          coverage[t.r + "," + t.c] = (coverage[t.r + "," + t.c] || 0) + 1;
        });
      });
      if (current) {
        current.terms.forEach(function (t) { taps[t.r + "," + t.c] = true; });
      }
      const most = Math.max.apply(null, [1].concat(Object.values(coverage)));
      element(svg, "text", { x: result.padded * CELL / 2, y: TOP / 2, class: "title" },
              result.before + result.after > 0 ? "input, padded" : "input");
      for (let r = 0; r < result.padded; r += 1) {
        for (let c = 0; c < result.padded; c += 1) {
          const value = result.grid[r][c];
          const key = r + "," + c;
          const x = c * CELL;
          const y = TOP + r * CELL;
          cell(svg, x, y, taps[key] ? "tap" : (value === null ? "pad" : "value"));
          if (showAll && coverage[key]) {
            // Shade each cell by how many positions of the kernel use it.
            const shade = element(svg, "rect", { x: x + 3, y: y + 3, width: CELL - 6,
                                                 height: CELL - 6, class: "centre" });
            shade.setAttribute("fill-opacity", (0.1 + 0.25 * coverage[key] / most).toFixed(2));
          }
          element(svg, "text", { x: x + CELL / 2, y: y + CELL / 2, class: value === null ? "zero" : "" },
                  value === null ? "0" : String(value));
        }
      }
      if (current) {
        element(svg, "rect", { x: current.left * CELL, y: TOP + current.top * CELL,
                               width: result.span * CELL, height: result.span * CELL,
                               class: "window" });
      }
      if (showAll) {
        result.positions.forEach(function (p) {
          element(svg, "circle", { cx: (p.left + result.span / 2) * CELL,
                                   cy: TOP + (p.top + result.span / 2) * CELL, r: CELL / 2 - 4,
                                   class: "ring" });
        });
      }
      element(svg, "text", { x: kernelX + settings.k * CELL / 2, y: TOP / 2, class: "title" },
              "kernel");
      for (let a = 0; a < settings.k; a += 1) {
        for (let b = 0; b < settings.k; b += 1) {
          cell(svg, kernelX + b * CELL, TOP + a * CELL, "tap", signed(data.kernel[a][b]));
        }
      }
      element(svg, "text", { x: outputX + side * CELL / 2, y: TOP / 2, class: "title" },
              "output");
      result.positions.forEach(function (p, index) {
        const x = outputX + p.j * CELL;
        const y = TOP + p.i * CELL;
        cell(svg, x, y, current === p ? "tap" : "value");
        if (showAll || index <= position) {
          element(svg, "text", { x: x + CELL / 2, y: y + CELL / 2, class: "out",
                                 "data-row": p.i, "data-col": p.j }, signed(p.value));
        }
        if (current === p) {
          element(svg, "rect", { x: x, y: y, width: CELL, height: CELL, class: "window" });
        }
      });
    }

    function describe() {
      const shape = result.side + " " + TIMES + " " + result.side;
      const count = result.positions.length;
      let said;
      let sum = "";
      if (count === 0) {
        said = "The kernel spans " + result.span + " cells, more than the " + result.padded +
               " of the padded input: no position fits, the output is empty.";
      } else if (showAll) {
        said = "All " + count + " positions of the kernel; output shape " + shape + ".";
        sum = "The rings mark the centres of the kernel\u2019s positions; the shading, how " +
              "many positions use each cell.";
      } else {
        const p = result.positions[position];
        said = "Position " + (position + 1) + " of " + count + ": output row " + (p.i + 1) +
               ", column " + (p.j + 1) + " is " + signed(p.value) + ". Output shape " + shape + ".";
        sum = "Under the kernel: " + p.terms.map(function (t) {
          return inParentheses(t.value) + TIMES + inParentheses(t.weight);
        }).join(" + ") + " = " + signed(p.value) + ".";
      }
      status.textContent = said;
      sumText.textContent = sum;
      formula.textContent = formulaText(settings, result);
      svg.setAttribute("aria-label", "Convolution of a " + settings.n + " by " + settings.n +
                       " grid of integers with a " + settings.k + " by " + settings.k +
                       " kernel. " + said);
      root.dataset.rows = result.side;
      root.dataset.cols = result.side;
      root.dataset.position = position;
    }

    function update() {
      result = convolve(data.image, data.kernel, settings);
      position = Math.min(Math.max(position, 0), Math.max(result.positions.length - 1, 0));
      draw();
      describe();
      state.position = position;
      state.showAll = showAll;
    }

    function readSetting(name) {
      const [low, high] = data.limits[name];
      const value = Math.round(Number(inputs[name].value));
      if (inputs[name].value === "" || !Number.isFinite(value)) {
        return;  // half-typed: wait for a number
      }
      settings[name] = Math.min(Math.max(value, low), high);
      update();
    }

    Object.keys(inputs).forEach(function (name) {
      inputs[name].addEventListener("input", function () { readSetting(name); });
      inputs[name].addEventListener("change", function () { syncControls(); });
    });
    paddingSelect.addEventListener("change", function () {
      settings.padding = paddingSelect.value;
      syncControls();
      update();
    });

    function move(target) {
      if (showAll) {
        showAll = false;
        allButton.setAttribute("aria-pressed", "false");
      }
      const last = Math.max(result.positions.length - 1, 0);
      position = (target + last + 1) % (last + 1);
      update();
    }

    const actions = {
      first: function () { move(0); },
      back: function () { move(position - 1); },
      forward: function () { move(position + 1); },
      last: function () { move(result.positions.length - 1); },
      all: function () {
        showAll = !showAll;
        allButton.setAttribute("aria-pressed", String(showAll));
        update();
      }
    };
    root.querySelectorAll("button[data-action]").forEach(function (button) {
      button.addEventListener("click", actions[button.dataset.action]);
    });
    const keys = { ArrowRight: "forward", ArrowDown: "forward", ArrowLeft: "back",
                   ArrowUp: "back", Home: "first", End: "last" };
    root.querySelector(".course-explorer-controls").addEventListener("keydown", function (event) {
      if (keys[event.key]) {
        event.preventDefault();
        actions[keys[event.key]]();
      }
    });
    allButton.setAttribute("aria-pressed", String(showAll));
    syncControls();
    update();
  }

  window.courseWidgets.define(".course-explorer", start);
}());
