// Prints the closing line of scripts/test.sh, "tests: N passed, N failed",
// from the JSON reports of Jest (--json) and Playwright (json reporter).
const fs = require('node:fs');
const path = require('node:path');

const [dir, stageFailed] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of fs.readdirSync(dir)) {
  const report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  if (file.endsWith('.playwright.json')) {
    passed += report.stats.expected + report.stats.flaky;
    failed += report.stats.unexpected;
    skipped += report.stats.skipped;
  } else {
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
  }
}
// A stage that failed without a failing test (lint, type check, a service
// that did not start) still counts as a failure.
if (failed === 0 && stageFailed === '1') failed = 1;
process.stdout.write(
  `tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`,
);
