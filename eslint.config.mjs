// ESLint's settings for the course's widgets (browser scripts inlined into the pages)
// and for its Node scripts (scripts/*.mjs).
import js from "@eslint/js";

export default [
  js.configs.recommended,
  {
    files: ["widgets/**/*.js"],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: "script",
      globals: { window: "readonly", document: "readonly", setInterval: "readonly",
                 clearInterval: "readonly" },
    },
    rules: {
      "no-var": "error",
      "prefer-const": "error",
      eqeqeq: "error",
      strict: ["error", "function"],
    },
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
