import { describe, expect, it } from 'vitest';
import { nextSteps } from './next-steps.js';

const input = {
  kubeconfig: '/cache/admin.kubeconfig', kubectl: '/cache/bin/kubectl', examples: '/repo/examples/podinfo', operatorPort: 41000,
  prometheusUrl: 'http://127.0.0.1:41001', loadTesterUrl: 'http://127.0.0.1:41002', proxyUrl: 'http://127.0.0.1:41003',
};

describe('the next steps npm start prints', () => {
  it('says where each part listens, on the ports the kernel chose', () => {
    const text = nextSteps(input);
    expect(text).toContain('operator      http://127.0.0.1:41000/metrics');
    expect(text).toContain('prometheus    http://127.0.0.1:41001');
    expect(text).toContain('load tester   http://127.0.0.1:41002 (the Canary\'s webhook calls it as http://flagger-loadtester.test/)');
    expect(text).toContain('curl -x http://127.0.0.1:41003 http://podinfo.test:9898/');
  });

  it('walks through applying the example, a good release and a faulty one that the data plane makes fail', () => {
    const lines = nextSteps(input).split('\n').map((l) => l.trim());
    const order = [
      'export KUBECONFIG=/cache/admin.kubeconfig', 'kubectl apply -f /repo/examples/podinfo/',
      'kubectl -n test set image deployment/podinfo podinfod=ghcr.io/stefanprodan/podinfo:6.0.1',
      'kubectl -n test set env deployment/podinfo FAULT_ERROR_RATIO=0.5',
    ].map((command) => lines.findIndex((l) => l.startsWith(command)));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});
