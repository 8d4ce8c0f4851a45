import type { ProcessResult, ProcessRunner, ProcessSpec } from '../../src/ports/process-runner.js';

/** A {@link ProcessRunner} that records what it was asked to run and answers from a script. */
export class FakeProcessRunner implements ProcessRunner {
  readonly runs: ProcessSpec[] = [];

  constructor(private readonly script: (spec: ProcessSpec) => Partial<ProcessResult> = () => ({})) {}

  run(spec: ProcessSpec): Promise<ProcessResult> {
    this.runs.push(spec);
    const result = { exitCode: 0, output: '', truncated: false, timedOut: false, aborted: false, ...this.script(spec) };
    return Promise.resolve(result);
  }
}
