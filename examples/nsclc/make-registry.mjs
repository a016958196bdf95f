// Makes examples/nsclc/registry.csv: a registry-like extract of 3840 patients drawn from the
// hand-specified network examples/nsclc/truth-model.json (seed 20260630). Entry is uniform over
// 60 months, the extract is cut 72 months after the first entry, and patients are lost to
// follow-up at 0.005 per month; survival times are recorded to 0.01 month. holdout.csv is 1000
// more patients from the same population, never used to fit the model (for
// `ecasim audit --holdout`). ecasim fit derives examples/nsclc/model.json from registry.csv with
// examples/nsclc/fit.yaml.
// Run from the repository root after `npm run build`: node examples/nsclc/make-registry.mjs
import { writeFileSync } from 'node:fs';
import { loadModel } from '../../dist/src/model/load.js';
import { createStream } from '../../dist/src/random/index.js';
import { sampleCohort } from '../../dist/src/simulate/ancestral.js';
import { applyCensoring } from '../../dist/src/simulate/censoring.js';

const model = loadModel('examples/nsclc/truth-model.json');

function extract(file, n, stream) {
  const cohort = sampleCohort(model, n, stream.substream(0));
  const os = cohort.columns.get('os').values;
  const { time, event } = applyCensoring(
    os,
    { accrual: { duration: 60, shape: 'uniform' }, studyDuration: 72, dropoutRate: 0.005 },
    stream.substream(1),
  );
  const names = model.names.filter((name) => name !== 'os');
  const lines = [[...names, 'os_time', 'os_event'].join(',')];
  for (let i = 0; i < n; i++) {
    const row = names.map((name) => {
      const c = cohort.columns.get(name);
      return c.kind === 'numeric' ? String(c.values[i]) : c.levels[c.codes[i]];
    });
    row.push(Math.max(0.01, Math.round(time[i] * 100) / 100).toFixed(2), String(event[i]));
    lines.push(row.join(','));
  }
  writeFileSync(file, lines.join('\n') + '\n');
  const deaths = event.reduce((s, e) => s + e, 0);
  console.log(`wrote ${file}: ${n} patients, ${deaths} deaths`);
}

extract('examples/nsclc/registry.csv', 3840, createStream(20260630));
extract('examples/nsclc/holdout.csv', 1000, createStream(20260630, 1));
