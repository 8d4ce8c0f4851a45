import { FakeKube } from '../fakes/fake-kube.js';
import { describeKubeContract } from './kube-contract.js';

describeKubeContract('FakeKube', () => Promise.resolve({ kube: new FakeKube(), namespace: 'contract' }));
