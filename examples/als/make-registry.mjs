// Makes examples/als/registry.csv: a registry-like extract of 1200 patients drawn from the
// hand-specified network examples/als/truth-model.json (seed 20260331). Entry (diagnosis) is
// uniform over 48 months, the extract is cut 60 months after the first entry, and patients are
// lost to follow-up at 0.005 per month; the time from diagnosis to death or permanent assisted
// ventilation is recorded to 0.01 month, the diagnostic delay to 0.1 month (as in treated.csv).
// ecasim fit derives examples/als/model.json from registry.csv with examples/als/fit.yaml.
// Run from the repository root after `npm run build`: node examples/als/make-registry.mjs
import { writeFileSync } from 'node:fs';
import { loadModel } from '../../dist/src/model/load.js';
import { createStream } from '../../dist/src/random/index.js';
import { sampleCohort } from '../../dist/src/simulate/ancestral.js';
import { applyCensoring } from '../../dist/src/simulate/censoring.js';

const model = loadModel('examples/als/truth-model.json');

function extract(file, n, stream) {
  const cohort = sampleCohort(model, n, stream.substream(0));
  const survival = cohort.columns.get('survival').values;
  const { time, event } = applyCensoring(
    survival,
    { accrual: { duration: 48, shape: 'uniform' }, studyDuration: 60, dropoutRate: 0.005 },
    stream.substream(1),
  );
  const names = model.names.filter((name) => name !== 'survival');
  const lines = [[...names, 'survival_time', 'survival_event'].join(',')];
  for (let i = 0; i < n; i++) {
    const row = names.map((name) => {
      const c = cohort.columns.get(name);
      if (c.kind !== 'numeric') return c.levels[c.codes[i]];
      return name === 'delay'
        ? (Math.round(c.values[i] * 10) / 10).toFixed(1)
        : String(c.values[i]);
    });
    row.push(Math.max(0.01, Math.round(time[i] * 100) / 100).toFixed(2), String(event[i]));
    lines.push(row.join(','));
  }
  writeFileSync(file, lines.join('\n') + '\n');
  const events = event.reduce((s, e) => s + e, 0);
  console.log(`wrote ${file}: ${n} patients, ${events} deaths or permanent ventilation`);
}

extract('examples/als/registry.csv', 1200, createStream(20260331));
