import { Resources } from '../../src/kube/resources.js';
import { describeKubeContract, widgetCrd } from '../contract/kube-contract.js';
import { testKube, useTestNamespace, waitFor } from '../support/kube.js';
import { Widgets } from '../contract/kube-contract.js';

const namespace = useTestNamespace('contract');

describeKubeContract('HttpsKube against kube-apiserver', async () => {
  const kube = testKube();
  if ((await kube.get(Resources.customResourceDefinitions, undefined, widgetCrd.metadata.name)) === undefined) {
    await kube.create(Resources.customResourceDefinitions, widgetCrd);
  }
  await waitFor('widgets served', async () => {
    await kube.list(Widgets, namespace());
    return true;
  });
  return { kube, namespace: namespace() };
});
