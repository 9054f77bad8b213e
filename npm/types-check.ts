// Compiled (not run) by npm/test-installed.sh with tsc --strict against the
// installed package: the types must accept what the README shows and
// refuse what asession would refuse.
import { run, AsessionError, findExecutable, type Event, type Summary } from '@faspkit/asession';

export async function upload(): Promise<number> {
  const controller = new AbortController();
  const job = run({ remote_host: 'h', direction: 'send', paths: [{ source: '/a' }] }, {
    flags: { retries: 0, stallTimeout: '10m', dryRun: false },
    env: { ASCPSIM_FAIL: null }, signal: controller.signal, stderr: 'pipe', cancelTimeout: 5000,
  });
  for await (const event of job) {
    if (event.type === 'progress') {
      const percentage: number = (event as Extract<Event, { type: 'progress' }>).percentage;
      console.log(percentage);
    }
  }
  job.send({ type: 'RATE', rate: 1000, min_rate: 0, adaptive: 'Fixed' });
  job.send({ type: 'START', source: '/b', destination: '/c' });
  job.send({ type: 'DONE', operation: 'Linger' });
  // @ts-expect-error: asession knows no such adaptive mode
  job.send({ type: 'RATE', adaptive: 'Sometimes' });
  // @ts-expect-error: stderr is 'pipe', 'inherit' or 'ignore'
  run({}, { stderr: 'file' });
  try {
    const summary: Summary = await job.summary;
    const retryable: boolean | undefined = summary.error?.retryable;
    console.log(summary.status, summary.exit_code, summary.files.completed, retryable, findExecutable());
  } catch (err) {
    if (err instanceof AsessionError) return err.exitCode ?? 3;
  }
  return (await job.exitCode) ?? 3;
}
