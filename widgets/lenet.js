/*
 * A LeNet you can draw for (notebook_utils.lenet_drawing_widget).
 *
 * Each widget is a <div class="course-lenet"> holding a JSON block with the trained
 * network's weights (int8, one scale per array) and a few test digits. The reader draws
 * on a 32 x 32 bitmap, like the scanned forms the digits of scikit-learn come from; the
 * script counts the ink in each 4 x 4 block (8 x 8 grey levels from 0 to 16, the data
 * set's resolution), prepares the counts as the page does (divided by 16, enlarged three
 * times with linear interpolation, a 4-pixel blank margin: 32 x 32) and runs LeNet
 * forward, layer by layer, as Keras does. This script, inlined after each widget (with
 * runtime.js), brings to life every widget of the page, now and whenever one is copied
 * (Live Code), with the drawing the reader made; it needs nothing but the DOM.
 */
(function () {
  "use strict";
  const SIDE = 32; // the drawing's side, in pixels
  const BLOCK = 4; // 4 x 4 pixels of the drawing make one grey level
  const GRID = SIDE / BLOCK; // 8 x 8 grey levels
  const ZOOM = 3; // 8 -> 24 pixels, as scipy.ndimage.zoom(image, 3, order=1)
  const MARGIN = 4; // 24 + 2 x 4 = 32, LeNet's input
  // Bayer's 4 x 4 ordered-dithering ranks: a block of grey level k shows k pixels.
  const BAYER = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5];

  function decodeArray(entry) {
    const bytes = window.atob(entry.data);
    const values = new Float32Array(bytes.length);
    for (let i = 0; i < bytes.length; i += 1) {
      const q = bytes.charCodeAt(i);
      // Each weight is q x scale in float32, as the weights set back into Keras.
      values[i] = Math.fround((q > 127 ? q - 256 : q) * entry.scale);
    }
    return values;
  }

  // scipy.ndimage.zoom(order=1): output pixel o samples the input at o (n - 1) / (m - 1).
  function enlarge(levels) {
    const size = GRID * ZOOM;
    const step = (GRID - 1) / (size - 1);
    const rows = new Float64Array(size * GRID);
    const out = new Float64Array(size * size);
    function sample(get, o) {
      const at = o * step;
      const i = Math.min(Math.floor(at), GRID - 1);
      const f = at - i;
      return f === 0 ? get(i) : (1 - f) * get(i) + f * get(i + 1);
    }
    for (let y = 0; y < size; y += 1) {
      for (let x = 0; x < GRID; x += 1) {
        rows[y * GRID + x] = sample(function (i) { return levels[i * GRID + x]; }, y);
      }
    }
    for (let y = 0; y < size; y += 1) {
      for (let x = 0; x < size; x += 1) {
        out[y * size + x] = sample(function (i) { return rows[y * GRID + i]; }, x);
      }
    }
    return out;
  }

  function networkInput(levels) {
    const size = GRID * ZOOM;
    const big = enlarge(Array.from(levels, function (level) { return level / 16; }));
    const input = new Float64Array(SIDE * SIDE);
    for (let y = 0; y < size; y += 1) {
      for (let x = 0; x < size; x += 1) {
        input[(y + MARGIN) * SIDE + x + MARGIN] = Math.fround(big[y * size + x]);
      }
    }
    return input;
  }

  // Arrays are (height, width, channels), channels last, as in Keras.
  function convolution(input, side, layer) {
    const [k, , channelsIn, channelsOut] = layer.shape;
    const outSide = side - k + 1;
    const out = new Float64Array(outSide * outSide * channelsOut);
    for (let y = 0; y < outSide; y += 1) {
      for (let x = 0; x < outSide; x += 1) {
        for (let c = 0; c < channelsOut; c += 1) {
          let sum = layer.bias[c];
          for (let dy = 0; dy < k; dy += 1) {
            for (let dx = 0; dx < k; dx += 1) {
              const inBase = ((y + dy) * side + x + dx) * channelsIn;
              const kBase = (dy * k + dx) * channelsIn;
              for (let ci = 0; ci < channelsIn; ci += 1) {
                sum += input[inBase + ci] * layer.kernel[(kBase + ci) * channelsOut + c];
              }
            }
          }
          out[(y * outSide + x) * channelsOut + c] = Math.max(sum, 0);
        }
      }
    }
    return { values: out, side: outSide, channels: channelsOut };
  }

  function maxPool(maps) {
    const side = maps.side / 2;
    const c = maps.channels;
    const out = new Float64Array(side * side * c);
    for (let y = 0; y < side; y += 1) {
      for (let x = 0; x < side; x += 1) {
        for (let ch = 0; ch < c; ch += 1) {
          let best = -Infinity;
          for (let dy = 0; dy < 2; dy += 1) {
            for (let dx = 0; dx < 2; dx += 1) {
              best = Math.max(best, maps.values[((2 * y + dy) * maps.side + 2 * x + dx) * c + ch]);
            }
          }
          out[(y * side + x) * c + ch] = best;
        }
      }
    }
    return { values: out, side: side, channels: c };
  }

  function dense(input, layer, relu) {
    const [nIn, nOut] = layer.shape;
    const out = new Float64Array(nOut);
    for (let j = 0; j < nOut; j += 1) {
      let sum = layer.bias[j];
      for (let i = 0; i < nIn; i += 1) {
        sum += input[i] * layer.kernel[i * nOut + j];
      }
      out[j] = relu ? Math.max(sum, 0) : sum;
    }
    return out;
  }

  function softmax(logits) {
    const top = Math.max.apply(null, logits);
    const e = Array.from(logits, function (v) { return Math.exp(v - top); });
    const total = e.reduce(function (a, b) { return a + b; }, 0);
    return e.map(function (v) { return v / total; });
  }

  function forward(net, input) {
    const c1 = convolution(input, SIDE, net.C1);
    const c3 = convolution(maxPool(c1).values, c1.side / 2, net.C3);
    const s4 = maxPool(c3); // flattened row by row, channels side by side, as Flatten
    const c5 = dense(s4.values, net.C5, true);
    const f6 = dense(c5, net.F6, true);
    return { c1: c1, c3: c3, probabilities: softmax(dense(f6, net.output, false)) };
  }

  // Draws `count` maps (side x side, channels last) in a grid of `columns`, one grey
  // scale for all of them: black is zero, white the strongest response. Each map has a
  // grey frame, so that a map white all over still shows on the white page.
  function drawMaps(canvas, maps, columns, scale) {
    const context = canvas.getContext("2d");
    const cell = maps.side * scale + 2;
    let top = 0;
    maps.values.forEach(function (v) { top = Math.max(top, v); });
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    for (let c = 0; c < maps.channels; c += 1) {
      const left = (c % columns) * cell;
      const upper = Math.floor(c / columns) * cell;
      for (let y = 0; y < maps.side; y += 1) {
        for (let x = 0; x < maps.side; x += 1) {
          const v = top > 0 ? maps.values[(y * maps.side + x) * maps.channels + c] / top : 0;
          const grey = Math.round(255 * v);
          context.fillStyle = "rgb(" + grey + "," + grey + "," + grey + ")";
          context.fillRect(left + x * scale, upper + y * scale, scale, scale);
        }
      }
      if (maps.channels > 1) {
        context.strokeStyle = "#767676";
        context.lineWidth = 1;
        context.strokeRect(left + 0.5, upper + 0.5, maps.side * scale - 1, maps.side * scale - 1);
      }
    }
  }

  function isEmpty(bitmap) {
    return bitmap.every(function (pixel) { return pixel === 0; });
  }

  function withArticle(digit) {
    return (digit === 8 ? "an " : "a ") + digit;
  }

  function start(root, state) {
    const data = JSON.parse(root.querySelector("script.course-lenet-data").textContent);
    const net = {};
    data.layers.forEach(function (layer) {
      net[layer.name] = { shape: layer.kernel.shape, kernel: decodeArray(layer.kernel),
                          bias: decodeArray(layer.bias) };
    });
    const pad = root.querySelector(".course-lenet-pad");
    const levelsCanvas = root.querySelector(".course-lenet-levels");
    const inputCanvas = root.querySelector(".course-lenet-input");
    const c1Canvas = root.querySelector(".course-lenet-c1");
    const c3Canvas = root.querySelector(".course-lenet-c3");
    const status = root.querySelector(".course-lenet-status");
    const picker = root.querySelector("select");
    const bars = [];
    const barBox = root.querySelector(".course-lenet-probabilities");
    barBox.replaceChildren(); // a copy of a running widget holds the bars already
    picker.replaceChildren();
    for (let digit = 0; digit < 10; digit += 1) {
      const row = document.createElement("div");
      row.className = "course-lenet-row";
      const name = document.createElement("span");
      name.textContent = String(digit);
      const track = document.createElement("span");
      track.className = "course-lenet-track";
      const bar = document.createElement("span");
      bar.className = "course-lenet-bar";
      track.appendChild(bar);
      const value = document.createElement("span");
      value.className = "course-lenet-value";
      row.append(name, track, value);
      barBox.appendChild(row);
      bars.push({ bar: bar, value: value });
    }
    data.digits.forEach(function (digit, n) {
      const option = document.createElement("option");
      option.value = String(n);
      option.textContent = "test digit " + (n + 1) + " (a " + digit.label + ")";
      picker.appendChild(option);
    });

    const firstStart = !state.bitmap;
    if (firstStart) {
      state.bitmap = new Uint8Array(SIDE * SIDE);
    }
    const bitmap = state.bitmap;
    const cursor = { x: SIDE / 2, y: SIDE / 2 };
    let drawing = false;
    let usingKeyboard = false; // the cursor square shows only while the keyboard draws
    let last = null;
    let result = null;

    function levels() {
      const counts = new Array(GRID * GRID).fill(0);
      for (let y = 0; y < SIDE; y += 1) {
        for (let x = 0; x < SIDE; x += 1) {
          counts[Math.floor(y / BLOCK) * GRID + Math.floor(x / BLOCK)] += bitmap[y * SIDE + x];
        }
      }
      return counts;
    }

    function drawGrey(canvas, values, side, top) {
      drawMaps(canvas, { values: values.map(function (v) { return v / top; }), side: side,
                         channels: 1 }, 1, canvas.width / side);
    }

    // The ink in white over the 8 x 8 grey levels LeNet will receive, shown dimmed: the
    // reader sees, while drawing, how coarse the network's view is.
    function drawPad() {
      const context = pad.getContext("2d");
      const scale = pad.width / SIDE;
      const blockSide = BLOCK * scale;
      levels().forEach(function (count, block) {
        const grey = Math.round(110 * count / (BLOCK * BLOCK));
        context.fillStyle = "rgb(" + grey + "," + grey + "," + grey + ")";
        context.fillRect((block % GRID) * blockSide, Math.floor(block / GRID) * blockSide,
                         blockSide, blockSide);
      });
      context.fillStyle = "#ffffff";
      for (let i = 0; i < bitmap.length; i += 1) {
        if (bitmap[i]) {
          context.fillRect((i % SIDE) * scale, Math.floor(i / SIDE) * scale, scale, scale);
        }
      }
      context.strokeStyle = "#404040"; // the 4 x 4 blocks that make one grey level
      context.lineWidth = 1;
      for (let k = 1; k < GRID; k += 1) {
        context.beginPath();
        context.moveTo(k * BLOCK * scale + 0.5, 0);
        context.lineTo(k * BLOCK * scale + 0.5, pad.height);
        context.moveTo(0, k * BLOCK * scale + 0.5);
        context.lineTo(pad.width, k * BLOCK * scale + 0.5);
        context.stroke();
      }
      if (document.activeElement === pad && usingKeyboard) {
        context.strokeStyle = "#e69f00";
        context.lineWidth = 2;
        context.strokeRect(cursor.x * scale + 1, cursor.y * scale + 1, scale - 2, scale - 2);
      }
    }

    function announce() {
      if (isEmpty(bitmap)) {
        status.textContent = "The square is empty: draw a digit.";
        return;
      }
      const p = result.probabilities;
      const best = p.indexOf(Math.max.apply(null, p));
      status.textContent = "LeNet reads " + withArticle(best) + ", probability " +
        (100 * p[best]).toFixed(1) + "%.";
    }

    function update() {
      const counts = levels();
      const input = networkInput(counts);
      result = forward(net, input);
      drawPad();
      drawGrey(levelsCanvas, counts, GRID, 16);
      drawGrey(inputCanvas, Array.from(input), SIDE, 1);
      drawMaps(c1Canvas, result.c1, 6, 2);
      drawMaps(c3Canvas, result.c3, 8, 3);
      if (isEmpty(bitmap)) { // an empty square gets no verdict
        bars.forEach(function (row) {
          row.bar.style.width = "0";
          row.bar.classList.remove("course-lenet-best");
          row.value.textContent = "\u2013";
        });
        delete root.dataset.probabilities;
        delete root.dataset.predicted;
        return;
      }
      const p = result.probabilities;
      const best = p.indexOf(Math.max.apply(null, p));
      p.forEach(function (value, digit) {
        bars[digit].bar.style.width = (100 * value).toFixed(1) + "%";
        bars[digit].bar.classList.toggle("course-lenet-best", digit === best);
        bars[digit].value.textContent = (100 * value).toFixed(1) + "%";
      });
      root.dataset.probabilities = JSON.stringify(p);
      root.dataset.predicted = String(best);
    }

    // A round pen about 4 pixels wide: the strokes of the scanned digits fill whole
    // 4 x 4 blocks (grey level 16) along their middle.
    function paint(x, y) {
      for (let dy = -2; dy <= 2; dy += 1) {
        for (let dx = -2; dx <= 2; dx += 1) {
          const px = x + dx;
          const py = y + dy;
          if (dx * dx + dy * dy <= 4 && px >= 0 && px < SIDE && py >= 0 && py < SIDE) {
            bitmap[py * SIDE + px] = 1;
          }
        }
      }
    }

    function stroke(from, to) {
      const steps = Math.max(Math.abs(to.x - from.x), Math.abs(to.y - from.y), 1);
      for (let s = 0; s <= steps; s += 1) {
        paint(Math.round(from.x + (to.x - from.x) * s / steps),
              Math.round(from.y + (to.y - from.y) * s / steps));
      }
    }

    function pixelAt(event) {
      const box = pad.getBoundingClientRect();
      return { x: Math.min(SIDE - 1, Math.max(0, Math.floor((event.clientX - box.left) / box.width * SIDE))),
               y: Math.min(SIDE - 1, Math.max(0, Math.floor((event.clientY - box.top) / box.height * SIDE))) };
    }

    pad.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      // Focusing would scroll a pad partly hidden (under the page's header) into view,
      // and the rest of the stroke would land away from the pointer.
      pad.focus({ preventScroll: true });
      usingKeyboard = false;
      pad.setPointerCapture(event.pointerId);
      drawing = true;
      last = pixelAt(event);
      stroke(last, last);
      update();
    });
    pad.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      const here = pixelAt(event);
      stroke(last, here);
      last = here;
      update();
    });
    function endStroke() {
      if (drawing) {
        drawing = false;
        announce();
      }
    }
    pad.addEventListener("pointerup", endStroke);
    pad.addEventListener("pointercancel", endStroke);

    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    pad.addEventListener("keydown", function (event) {
      usingKeyboard = true;
      if (moves[event.key]) {
        const from = { x: cursor.x, y: cursor.y };
        cursor.x = Math.min(SIDE - 1, Math.max(0, cursor.x + moves[event.key][0]));
        cursor.y = Math.min(SIDE - 1, Math.max(0, cursor.y + moves[event.key][1]));
        if (event.shiftKey) { stroke(from, cursor); }
      } else if (event.key === " " || event.key === "Enter") {
        stroke(cursor, cursor);
      } else if (event.key === "Delete") {
        bitmap.fill(0);
      } else {
        return;
      }
      event.preventDefault();
      update();
      if (!moves[event.key] || event.shiftKey) { announce(); }
    });
    pad.addEventListener("focus", drawPad);
    pad.addEventListener("blur", drawPad);

    function load(n) {
      // A bitmap with the test digit's grey levels: k pixels on in a block of level k.
      const digit = data.digits[n];
      for (let y = 0; y < SIDE; y += 1) {
        for (let x = 0; x < SIDE; x += 1) {
          const level = parseInt(digit.levels[Math.floor(y / BLOCK) * GRID + Math.floor(x / BLOCK)], 17);
          bitmap[y * SIDE + x] = BAYER[(y % BLOCK) * BLOCK + x % BLOCK] < level ? 1 : 0;
        }
      }
      update();
      announce();
      root.dataset.loaded = String(n);
      state.loaded = n;
    }

    root.querySelector("[data-action=clear]").addEventListener("click", function () {
      bitmap.fill(0);
      update();
      announce();
    });
    root.querySelector("[data-action=load]").addEventListener("click", function () {
      load(Number(picker.value));
    });
    root.querySelector("[data-action=next]").addEventListener("click", function () {
      picker.value = String((Number(picker.value) + 1) % data.digits.length);
      load(Number(picker.value));
    });
    if (firstStart) {
      load(0);
    } else {
      picker.value = String(state.loaded);
      root.dataset.loaded = String(state.loaded);
      update();
      announce();
    }
  }

  window.courseWidgets.define(".course-lenet", start);
}());
