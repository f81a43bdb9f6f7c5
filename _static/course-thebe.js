// Live Code with the Thebe that the book serves itself (_static/thebe/, copied from npm by
// sphinx_ext/thebe_local.py, which also points sphinx-thebe's THEBE_JS_URL there).
//
// sphinx-thebe 0.3 was written for Thebe 0.8: on "Live Code" it loads Thebe unless
// `thebelab` exists, then calls thebelab.on("status", ...) and thebelab.bootstrap(). This
// stand-in `thebelab` loads Thebe 0.9 (the version npm has) when bootstrap() is called,
// and bridges what 0.9 does differently:
// - 0.9 ships its style sheet apart from its script: both are loaded;
// - it pairs the n-th cell of the page with the n-th output element, so a cell without
//   output would show (and overwrite) the next cell's output: each such cell gets an
//   empty output element of its own;
// - it reads the kernel's name from kernelOptions.kernelName, where sphinx-thebe writes
//   kernelOptions.name;
// - bootstrap() starts a kernel only when its own argument asks for one;
// - it would load MathJax 2 from a CDN to typeset LaTeX outputs: the book's outputs have none,
//   and such an output would show as plain text.
// Thebe 0.9 then replaces this stand-in with itself (window.thebe, alias window.thebelab).
(function () {
  "use strict";
  if (typeof window.thebelab !== "undefined") {
    return;
  }
  const statusListeners = [];
  let started = null;

  function loadScript(url) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.addEventListener("load", resolve);
      script.addEventListener("error", () => reject(new Error(`Thebe could not be loaded from ${url}`)));
      document.head.appendChild(script);
    });
  }

  function loadStyleSheet(url) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = url;
    document.head.appendChild(link);
  }

  // sphinx-thebe has marked each cell's code [data-executable] and moved the cell's
  // output, if any, right after it, marked [data-output].
  function giveEachCellItsOwnOutput() {
    document.querySelectorAll("[data-executable]").forEach((code) => {
      const next = code.nextElementSibling;
      if (next === null || !next.hasAttribute("data-output")) {
        const output = document.createElement("div");
        output.setAttribute("data-output", "");
        code.insertAdjacentElement("afterend", output);
      }
    });
  }

  // sphinx-thebe's listeners learn how the launch ended when it failed (Thebe 0.9 reports
  // failures as "error" events, which sphinx-thebe does not listen to).
  function reportFailure(error) {
    console.error(`Live Code could not start: ${error}`);
    statusListeners.forEach(([event, listener]) => {
      if (event === "status") {
        listener(event, { status: "failed", message: String(error) });
      }
    });
  }

  async function start() {
    // sphinx-thebe's inline script defines THEBE_JS_URL, relative to the page.
    const bundle = new URL(THEBE_JS_URL, document.baseURI);
    loadStyleSheet(new URL("thebe.css", bundle).href);
    await loadScript(bundle.href);
    const thebe = window.thebe;
    statusListeners.forEach(([event, listener]) => thebe.on(event, listener));
    giveEachCellItsOwnOutput();
    const kernelOptions = thebe.getPageConfig().kernelOptions || {};
    return thebe.bootstrap({
      requestKernel: true,
      kernelOptions: { kernelName: kernelOptions.kernelName || kernelOptions.name },
      mathjaxUrl: "",
      // Long lines wrap, as in the static page (with course.css's height, no editor
      // scrolls), and the editor has a name for screen readers.
      codeMirrorConfig: { lineWrapping: true, screenReaderLabel: "Code of the cell (Shift+Enter runs it)" },
    });
  }

  window.thebelab = {
    on(event, listener) {
      statusListeners.push([event, listener]);
    },
    bootstrap() {
      if (started === null) {
        started = start().catch(reportFailure);
      }
      return started;
    },
  };
}());
