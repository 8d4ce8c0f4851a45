import { clusterGlobalSetup } from './cluster-global-setup.js';

export default clusterGlobalSetup('apiserver');
