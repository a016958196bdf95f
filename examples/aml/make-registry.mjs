// Makes examples/aml/registry.csv: a registry-like extract of 900 patients drawn from the
// hand-specified network examples/aml/truth-model.json (seed 20260531): the baseline covariates
// and the binary endpoint `remission` (composite complete remission by cycle 4, no/yes), which
// needs no censoring (death or discontinuation before assessment counts as no remission).
// ecasim fit derives examples/aml/model.json from registry.csv with examples/aml/fit.yaml.
// Run from the repository root after `npm run build`: node examples/aml/make-registry.mjs
import { writeFileSync } from 'node:fs';
import { loadModel } from '../../dist/src/model/load.js';
import { createStream } from '../../dist/src/random/index.js';
import { sampleCohort } from '../../dist/src/simulate/ancestral.js';

const model = loadModel('examples/aml/truth-model.json');

function extract(file, n, stream) {
  const cohort = sampleCohort(model, n, stream.substream(0));
  const lines = [model.names.join(',')];
  for (let i = 0; i < n; i++) {
    const row = model.names.map((name) => {
      const c = cohort.columns.get(name);
      return c.kind === 'numeric' ? String(c.values[i]) : c.levels[c.codes[i]];
    });
    lines.push(row.join(','));
  }
  writeFileSync(file, lines.join('\n') + '\n');
  const r = cohort.columns.get('remission');
  const remissions = Array.from(r.codes).filter((k) => r.levels[k] === 'yes').length;
  console.log(`wrote ${file}: ${n} patients, ${remissions} remissions`);
}

extract('examples/aml/registry.csv', 900, createStream(20260531));
