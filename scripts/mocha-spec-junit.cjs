/**
 * Mocha reporter for the test command: mocha's own `spec` output on the terminal, and with
 * `--reporter-option output=FILE` mocha's own `xunit` report in FILE, from one run. The test command
 * counts from that file instead of grepping the terminal text. CommonJS because mocha loads
 * reporters with `require`.
 */
'use strict';
const { reporters } = require('mocha');

class SpecAndJUnit extends reporters.Spec {
  constructor(runner, options = {}) {
    super(runner, options);
    const output = (options.reporterOption || options.reporterOptions || {}).output;
    // XUnit writes its file when the run ends; done() below waits for that file to be closed.
    this.junit = output ? new reporters.XUnit(runner, { ...options, reporterOptions: { output } }) : null;
  }

  done(failures, fn) {
    if (this.junit) this.junit.done(failures, fn);
    else fn(failures);
  }
}

module.exports = SpecAndJUnit;
