/**
 * The `flagger.app/v1beta1` API of Songbird: zod schemas (the only definition of the Canary, MetricTemplate
 * and AlertProvider kinds; the CRDs are generated from them), the types inferred from them, behavioural
 * defaults, conditions and the checks the controller runs before acting on an object.
 */
export * from './alert-provider.js';
export * from './canary-analysis.js';
export * from './canary-service.js';
export * from './canary-status.js';
export * from './canary.js';
export * from './common.js';
export * from './conditions.js';
export * from './defaults.js';
export * from './duration.js';
export * from './gateway-api-types.js';
export * from './istio-types.js';
export * from './metric-template.js';
export * from './rules.js';
export * from './validate-warnings.js';
export * from './validate.js';
export * from './manual-action.js';
