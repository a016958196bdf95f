/**
 * The scale-out templates of `ecasim design` (docs/scale-out.md): the Kubernetes manifests are
 * valid batch/v1 Jobs by the Kubernetes OpenAPI schema (kubernetes-models; the Jobs are not started
 * here), the shard Job is an Indexed Job whose `--shards` matches its completions and which
 * writes to the volume the merge Job reads, and the Slurm array script runs `--shards` from the
 * array's task count. test/slurm/run.sh runs the Slurm script on a real one-node cluster.
 */
import { readFileSync } from 'node:fs';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { parseAllDocuments } from 'yaml';

const ROOT = new URL('../../', import.meta.url).pathname;
const manifests = parseAllDocuments(
  readFileSync(`${ROOT}deploy/kubernetes/design-indexed-job.yaml`, 'utf8'),
).map((d) => d.toJS() as Record<string, unknown>);

test('every manifest is a valid batch/v1 Job', () => {
  expect(manifests.map((m) => m['kind'])).toEqual(['Job', 'Job']);
  for (const m of manifests) expect(() => new Job(m).validate()).not.toThrow();
  // the validator does catch a mistake of the kind that matters here
  const bad = structuredClone(manifests[0]!) as { spec: { completionMode: string } };
  bad.spec.completionMode = 'indexed';
  expect(() => new Job(bad as never).validate()).toThrow(/completionMode/);
});

test('the shard Job is Indexed, one shard a completion, into the volume the merge reads', () => {
  const [shards, merge] = manifests as {
    spec: {
      completionMode?: string;
      completions: number;
      template: {
        spec: {
          containers: { command: string[]; volumeMounts: { name: string; mountPath: string }[] }[];
          volumes: { name: string; persistentVolumeClaim: { claimName: string } }[];
        };
      };
    };
  }[];
  expect(shards!.spec.completionMode).toBe('Indexed');
  const cmd = shards!.spec.template.spec.containers[0]!.command;
  expect(cmd.slice(0, 2)).toEqual(['ecasim', 'design']);
  expect(cmd[cmd.indexOf('--shards') + 1]).toBe(String(shards!.spec.completions));
  const out = cmd[cmd.indexOf('--out') + 1]!;
  const mergeCmd = merge!.spec.template.spec.containers[0]!.command.join(' ');
  expect(mergeCmd).toContain(`ecasim merge ${out}/shard-*-of-${shards!.spec.completions}.json`);
  const claim = (j: typeof shards, mount: string) => {
    const c = j!.spec.template.spec;
    const name = c.containers[0]!.volumeMounts.find((v) => mount.startsWith(v.mountPath))!.name;
    return c.volumes.find((v) => v.name === name)!.persistentVolumeClaim.claimName;
  };
  expect(claim(shards, out)).toBe(claim(merge, out));
});

test('the Slurm array script runs one shard a task, counted by the array', () => {
  const script = readFileSync(`${ROOT}deploy/slurm/design-array.sbatch`, 'utf8');
  expect(script).toMatch(/^#!\/bin\/bash\n/);
  expect(script).toMatch(/design "\$design" --shards "\$SLURM_ARRAY_TASK_COUNT" --out "\$shards"/);
});
