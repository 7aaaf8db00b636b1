// Mocha's spec reporter plus the closing line CI reads: "N passed, N failed[, N skipped]".
import Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const s = runner.stats;
      if (!s) return;
      // After the spec reporter's own epilogue, so it is the last line printed.
      process.nextTick(() => {
        const skipped = s.pending ? `, ${s.pending} skipped` : '';
        console.log(`${s.passes} passed, ${s.failures} failed${skipped}`);
      });
    });
  }
}

export = SummaryReporter;
