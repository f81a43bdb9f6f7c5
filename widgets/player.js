/*
 * The course's animation player (notebook_utils.animation_player).
 *
 * Each player is a <div class="course-animation"> holding the figure drawn once as SVG
 * (without the animated lines), a JSON block with the outline of every line of every
 * frame, and the controls. This script, inlined after each player (with runtime.js),
 * brings to life every player of the page, now and whenever one is copied (Live Code),
 * on the frame it was showing; it needs nothing but the DOM.
 */
(function () {
  "use strict";
  const SVG_NS = "http://www.w3.org/2000/svg";

  function start(root, state) {
    const data = JSON.parse(root.querySelector("script.course-animation-data").textContent);
    const svg = root.querySelector(".course-animation-canvas svg");
    // A copy of a running player holds the frame and clip paths this script added.
    svg.querySelectorAll(":scope > .course-animation-frame, :scope > .course-animation-clips")
      .forEach(function (node) { node.remove(); });
    const layer = document.createElementNS(SVG_NS, "g");
    layer.setAttribute("class", "course-animation-frame");
    const defs = document.createElementNS(SVG_NS, "defs");
    defs.setAttribute("class", "course-animation-clips");
    data.clips.forEach(function (box, index) {
      const clip = document.createElementNS(SVG_NS, "clipPath");
      clip.id = root.id + "-clip" + index;
      const rect = document.createElementNS(SVG_NS, "rect");
      ["x", "y", "width", "height"].forEach(function (name, k) {
        rect.setAttribute(name, box[k]);
      });
      clip.appendChild(rect);
      defs.appendChild(clip);
    });
    svg.appendChild(defs);
    svg.appendChild(layer);

    const slider = root.querySelector("input[type=range]");
    const counter = root.querySelector("output");
    const playButton = root.querySelector("[data-action=play]");
    const speed = root.querySelector("select");
    const count = data.frames.length;
    let frame = 0;
    let timer = null;

    function show(n) {
      frame = (n + count) % count;
      layer.replaceChildren();
      data.frames[frame].forEach(function (line) {
        const path = document.createElementNS(SVG_NS, "path");
        path.setAttribute("style", data.styles[line[0]]);
        if (line[1] >= 0) {
          path.setAttribute("clip-path", "url(#" + root.id + "-clip" + line[1] + ")");
        }
        path.setAttribute("d", line[2]);
        layer.appendChild(path);
      });
      slider.value = frame;
      counter.textContent = (frame + 1) + " / " + count;
      root.dataset.frame = frame;
      state.frame = frame;
    }

    function pause() {
      clearInterval(timer);
      timer = null;
      playButton.textContent = "\u25B6 Play";
      playButton.setAttribute("aria-label", "Play");
    }

    function play() {
      clearInterval(timer);
      timer = setInterval(function () { show(frame + 1); }, data.interval / Number(speed.value));
      playButton.textContent = "\u275A\u275A Pause";
      playButton.setAttribute("aria-label", "Pause");
    }

    const actions = {
      first: function () { pause(); show(0); },
      back: function () { pause(); show(frame - 1); },
      play: function () { if (timer) { pause(); } else { play(); } },
      forward: function () { pause(); show(frame + 1); },
      last: function () { pause(); show(count - 1); }
    };
    root.querySelectorAll("button[data-action]").forEach(function (button) {
      button.addEventListener("click", actions[button.dataset.action]);
    });
    slider.addEventListener("input", function () { pause(); show(Number(slider.value)); });
    speed.addEventListener("change", function () { if (timer) { play(); } });
    show(state.frame || 0);
  }

  window.courseWidgets.define(".course-animation", start);
}());
