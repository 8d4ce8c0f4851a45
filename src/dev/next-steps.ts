/** What the printed next steps need to know about the running stack. */
export interface NextStepsInput {
  kubeconfig: string;
  kubectl: string;
  examples: string;
  operatorPort: number;
  prometheusUrl: string;
  loadTesterUrl: string;
  /** The data plane's forward proxy, when it runs. */
  proxyUrl: string | undefined;
}

/**
 * The text `npm start` prints once everything runs: where each part listens, then a good release that is
 * promoted and a faulty one that is rolled back.
 */
export function nextSteps(s: NextStepsInput): string {
  const ns = 'kubectl -n test';
  return [
    '',
    'Songbird runs on the embedded local cluster.',
    `  operator      http://127.0.0.1:${s.operatorPort}/metrics (healthz, readyz)`,
    `  prometheus    ${s.prometheusUrl}`,
    `  load tester   ${s.loadTesterUrl} (the Canary's webhook calls it as http://flagger-loadtester.test/)`,
    ...(s.proxyUrl === undefined ? [] : [`  data plane    ${s.proxyUrl} (forward proxy: curl -x ${s.proxyUrl} http://podinfo.test:9898/)`]),
    '',
    'In another terminal:',
    `  export KUBECONFIG=${s.kubeconfig}`,
    `  alias kubectl=${s.kubectl}`,
    `  kubectl apply -f ${s.examples}/`,
    `  ${ns} get canary podinfo -w                # Initializing → Initialized`,
    '',
    'A good release, promoted step by step while the checks pass:',
    `  ${ns} set image deployment/podinfo podinfod=ghcr.io/stefanprodan/podinfo:6.0.1`,
    `  ${ns} get canary podinfo -w                # Progressing (weight 20, 40, 60) → Promoting → Succeeded`,
    '',
    'A faulty release, rolled back when the success rate drops:',
    `  ${ns} set env deployment/podinfo ${faultEnv.errors}=0.5`,
    `  ${ns} get canary podinfo -w                # Progressing → Failed, traffic back on the primary`,
    `  ${ns} set env deployment/podinfo ${faultEnv.errors}-   # clears the fault (a new release)`,
    '',
    `Or run the whole story scripted: npm run demo. Stop with Ctrl-C; the local cluster keeps running (npm run cluster:down).`,
    '',
  ].join('\n');
}

/** Environment variables of a pod template that make the data plane's app process misbehave (data-plane/app-process.ts). */
export const faultEnv = { errors: 'FAULT_ERROR_RATIO', latencyMs: 'FAULT_LATENCY_MS' } as const;
