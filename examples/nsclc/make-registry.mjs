// Makes examples/nsclc/registry.csv: a registry-like extract of 3840 patients drawn from the
// hand-specified network examples/nsclc/truth-model.json (seed 20260630). Entry is uniform over
// 60 months, the extract is cut 72 months after the first entry, and patients are lost to
// follow-up at 0.005 per month; survival times are recorded to 0.01 month. ecasim fit derives
// examples/nsclc/model.json from this extract with examples/nsclc/fit.yaml.
// Run from the repository root after `npm run build`: node examples/nsclc/make-registry.mjs
import { writeFileSync } from 'node:fs';
import { loadModel } from '../../dist/src/model/load.js';
import { createStream } from '../../dist/src/random/index.js';
import { sampleCohort } from '../../dist/src/simulate/ancestral.js';
import { applyCensoring } from '../../dist/src/simulate/censoring.js';

const N = 3840;
const model = loadModel('examples/nsclc/truth-model.json');
const stream = createStream(20260630);
const cohort = sampleCohort(model, N, stream.substream(0));
const os = cohort.columns.get('os').values;
const { time, event } = applyCensoring(
  os,
  { accrual: { duration: 60, shape: 'uniform' }, studyDuration: 72, dropoutRate: 0.005 },
  stream.substream(1),
);
const names = model.names.filter((n) => n !== 'os');
const lines = [[...names, 'os_time', 'os_event'].join(',')];
for (let i = 0; i < N; i++) {
  const row = names.map((n) => {
    const c = cohort.columns.get(n);
    return c.kind === 'numeric' ? String(c.values[i]) : c.levels[c.codes[i]];
  });
  row.push(Math.max(0.01, Math.round(time[i] * 100) / 100).toFixed(2), String(event[i]));
  lines.push(row.join(','));
}
writeFileSync('examples/nsclc/registry.csv', lines.join('\n') + '\n');
console.log(
  `wrote examples/nsclc/registry.csv: ${N} patients, ${event.reduce((s, e) => s + e, 0)} deaths`,
);
