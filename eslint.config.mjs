// ESLint's settings for the course's browser scripts (the widgets, inlined into the pages,
// and the book's own scripts in _static/) and for its Node scripts (scripts/*.mjs).
import js from "@eslint/js";

const rules = {
  "no-var": "error",
  "prefer-const": "error",
  eqeqeq: "error",
  strict: ["error", "function"],
};

export default [
  js.configs.recommended,
  {
    files: ["widgets/**/*.js"],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: "script",
      globals: { window: "readonly", document: "readonly", setInterval: "readonly",
                 clearInterval: "readonly", MutationObserver: "readonly", Node: "readonly",
                 WeakSet: "readonly", Map: "readonly" },
    },
    rules,
  },
  {
    files: ["_static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: "script",
      // THEBE_JS_URL: defined by sphinx-thebe's inline script on every page.
      globals: { window: "readonly", document: "readonly", console: "readonly", URL: "readonly",
                 Promise: "readonly",
                 THEBE_JS_URL: "readonly" },
    },
    rules,
  },
  {
    files: ["scripts/**/*.mjs"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { process: "readonly", console: "readonly" },
    },
    rules: { "no-var": "error", "prefer-const": "error", eqeqeq: "error" },
  },
];
