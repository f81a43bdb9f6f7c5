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
// - sphinx-thebe moves each output right after its code: the output of a cell whose code
//   is folded away (hide-input) would vanish into the closed fold: it goes after the fold;
// - it reads the kernel's name from kernelOptions.kernelName, where sphinx-thebe writes
//   kernelOptions.name;
// - bootstrap() starts a kernel only when its own argument asks for one;
// - it would load MathJax 2 from a CDN to typeset LaTeX outputs: the book's outputs have none,
//   and such an output would show as plain text.
// Thebe 0.9 then replaces this stand-in with itself (window.thebe, alias window.thebelab).
//
// When the launch fails (no network, Binder down), the page goes back to what it was
// before the click (its outputs and widgets working, no dead run buttons), the spinner
// stops, and a notice says what failed and what the reader can do instead.
(function () {
  "use strict";
  if (typeof window.thebelab !== "undefined") {
    return;
  }
  const statusListeners = [];
  let started = null;
  let pageBeforeLiveCode = null;

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

  // MyST-NB folds the code of a hide-input cell into <details class="above-input">,
  // with the output after the fold; sphinx-thebe moved the output into it. Thebe pairs
  // codes and outputs in page order, which moving the output after the fold keeps.
  function keepOutputsOutOfCodeFolds() {
    document.querySelectorAll("details.above-input [data-output]").forEach((output) => {
      output.closest("details.above-input").insertAdjacentElement("afterend", output);
    });
  }

  function paragraph(text) {
    const element = document.createElement("p");
    element.textContent = text;
    return element;
  }

  // An item of the notice: the text, with the link of the page's own menu if it has one.
  function item(text, menuLink, linkText) {
    const element = document.createElement("li");
    element.append(text);
    const source = menuLink === null ? null : document.querySelector(menuLink);
    if (source !== null) {
      const link = document.createElement("a");
      link.href = source.href;
      link.textContent = linkText;
      element.append(" ", link, ".");
    }
    return element;
  }

  function failureNotice(error) {
    const notice = document.createElement("div");
    notice.className = "admonition warning course-live-code-failed";
    notice.setAttribute("role", "alert");
    const title = paragraph("Live Code could not start");
    title.className = "admonition-title";
    const reason = String(error).split("\n")[0];
    const ways = document.createElement("ul");
    ways.append(
      item("Check your network connection, then reload the page and click Live Code again.",
           null, ""),
      item("Run the page on Google Colab:", "a[href^='https://colab.research.google.com/']",
           "open it on Colab"),
      item("Run it on your computer, in Jupyter:", "a.btn-download-notebook-button",
           "download the notebook"));
    notice.append(title,
                  paragraph(`The page's code runs on mybinder.org, which could not be reached (${reason}). ` +
                            "The page is as it was: its outputs and widgets still work."),
                  ways);
    return notice;
  }

  // sphinx-thebe's listeners learn how the launch ended when it failed (Thebe 0.9 reports
  // failures as "error" events, which sphinx-thebe does not listen to); then the page
  // goes back to what it was, and says what happened.
  function reportFailure(error) {
    console.error(`Live Code could not start: ${error}`);
    statusListeners.forEach(([event, listener]) => {
      if (event === "status") {
        listener(event, { status: "failed", message: String(error) });
      }
    });
    const article = document.querySelector("article.bd-article");
    if (pageBeforeLiveCode !== null && article !== null) {
      article.replaceWith(pageBeforeLiveCode); // the widgets restart in it (runtime.js)
    }
    const button = document.querySelector(".thebe-launch-button");
    if (button !== null) {
      button.replaceChildren("Live Code is unavailable"); // and no spinner
      button.insertAdjacentElement("afterend", failureNotice(error));
    }
  }

  async function start() {
    // sphinx-thebe's inline script defines THEBE_JS_URL, relative to the page.
    const bundle = new URL(THEBE_JS_URL, document.baseURI);
    loadStyleSheet(new URL("thebe.css", bundle).href);
    await loadScript(bundle.href);
    const thebe = window.thebe;
    statusListeners.forEach(([event, listener]) => thebe.on(event, listener));
    giveEachCellItsOwnOutput();
    keepOutputsOutOfCodeFolds();
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
      // sphinx-thebe subscribes before it changes the page: the moment to keep a copy.
      if (pageBeforeLiveCode === null) {
        const article = document.querySelector("article.bd-article");
        pageBeforeLiveCode = article === null ? null : article.cloneNode(true);
      }
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
