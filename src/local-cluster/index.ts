export * from './control-plane.js';
export * from './prometheus.js';
export { binaryPath, binDir, cacheDir } from './toolchain.js';
export { freePort } from './free-port.js';
export * from './local-cluster.js';
export { auditLogPath } from './components.js';
