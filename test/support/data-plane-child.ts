/**
 * Runs a data plane in a process of its own, for the test that kills this process and expects every app
 * process to end with it. Prints `ready` once at least one app process listens.
 */
import { HttpsKube } from '../../src/adapters/kube-https.js';
import { startDataPlane } from '../../src/dev/data-plane/index.js';
import { loadKubeConfig } from '../../src/kube/load-kubeconfig.js';
import { silentLogger } from '../../src/ports/logger.js';

const kube = new HttpsKube(loadKubeConfig({ kind: 'kubeconfig', path: process.env.KUBECONFIG ?? '' }));
const dataPlane = await startDataPlane({ kube, runDir: process.cwd(), logger: silentLogger });
const poll = setInterval(() => {
  if (dataPlane.processes().some((p) => p.port !== undefined)) {
    clearInterval(poll);
    process.stdout.write('ready\n');
  }
}, 100);
