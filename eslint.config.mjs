// ESLint's settings for the course's widgets: browser scripts inlined into the pages.
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
];
