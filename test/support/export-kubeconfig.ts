import { inject } from 'vitest';

// Each test worker talks to the cluster its project's globalSetup started.
process.env.KUBECONFIG = inject('kubeconfig');
