/*
 * What the course's widgets share, inlined before each widget's own script
 * (notebook_utils._widget_script).
 *
 * A widget's HTML can be copied while the page is open: Live Code (Thebe) replaces every
 * output of the page by a new element holding the same HTML. The copy keeps the
 * attributes a widget set on its element, but none of its event listeners, drawings or
 * typed values, and its scripts may not run again. So:
 * - a widget knows which elements it runs on (a WeakSet: a copy is a new element), not an
 *   attribute, which the copy would carry;
 * - one observer of the page starts every widget element that appears later;
 * - each widget keeps what the reader did in its state, an object that the page keeps
 *   under the widget's id: the copy has the same id and takes up where the reader was.
 * `data-ready` marks, for tests and styles, an element whose widget runs.
 */
(function () {
  "use strict";
  if (window.courseWidgets) {
    return;
  }
  const starters = new Map(); // CSS selector -> start(root, state)
  const running = new WeakSet();
  const states = new Map(); // widget id -> state

  function stateOf(root) {
    if (!states.has(root.id)) {
      states.set(root.id, {});
    }
    return states.get(root.id);
  }

  function startWithin(scope) {
    starters.forEach(function (start, selector) {
      const roots = Array.from(scope.querySelectorAll(selector));
      if (scope.matches && scope.matches(selector)) {
        roots.push(scope);
      }
      roots.forEach(function (root) {
        if (!running.has(root)) {
          running.add(root);
          start(root, stateOf(root));
          root.dataset.ready = "true";
        }
      });
    });
  }

  window.courseWidgets = {
    // Runs start(root, state) once on every element matching selector, now and later.
    define: function (selector, start) {
      if (!starters.has(selector)) {
        starters.set(selector, start);
      }
      startWithin(document);
    }
  };

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) {
        if (node.nodeType === Node.ELEMENT_NODE) {
          startWithin(node);
        }
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
}());
