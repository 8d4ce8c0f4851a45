// Lint rules follow the project's size and complexity budgets: small functions, exhaustive switches,
// no floating promises, explicit return types on everything exported.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'charts/**', 'crds/**', '.songbird/**', '.stryker-tmp/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      complexity: ['error', 10],
      'max-depth': ['error', 3],
      'max-params': ['error', 4],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts', 'loadtester/src/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/explicit-function-return-type': ['error', { allowExpressions: true }],
    },
  },
  {
    // The reconciler is provider-neutral: what it needs to know about a provider comes from the Router and
    // the provider table (routers/index.ts). Adding a provider is one folder under routers/ and one entry there.
    // Of routers/ it may import the table, the Router interface and the shared session cookies, nothing else.
    files: ['src/reconciler/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: ['**/routers/**', '!**/routers/index.js', '!**/routers/router.js', '!**/routers/session-cookies.js'],
          message: 'the reconciler imports no provider code: use the Router or the provider table in routers/index.ts',
        }],
      }],
    },
  },
  {
    // Pure modules: the decision core and the desired-object builders take everything as arguments. No I/O
    // (files, network, processes, kube clients, adapters), no clock and no timers: `now` is a parameter.
    files: [
      'src/core/**/*.ts', 'src/routers/*/*-desired.ts', 'src/routers/*/*-conditions.ts', 'src/routers/*/*-builtins.ts',
      'src/routers/http-builtins.ts', 'src/routers/taken-over-spec.ts', 'src/routers/session-cookie-routing.ts', 'src/metrics/builtin-queries.ts',
      'src/routers/istio/istio-{match,objects,patches,routes,session-affinity,foreign-routes,canary-match}.ts',
      'src/routers/without-empty.ts', 'src/routers/nginx/nginx-canary-match.ts', 'src/api/canary-match.ts',
      'src/server/web-view-model.ts', 'src/server/web-view-page.ts',
      'src/workloads/{primary-config,primary-deployment,primary-hpa,primary-daemonset,primary-scaled-object,primary-pod-spec,services,service-ports,config-refs,labels,merge-patch,owner}.ts',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [
          ...['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'child_process', 'timers', 'timers/promises', 'process', 'worker_threads']
            .flatMap((m) => [m, `node:${m}`]).map((name) => ({ name, message: 'pure module: no I/O, timers or process access' })),
          { name: '@kubernetes/client-node', allowTypeImports: true, message: 'pure module: client-node types only, no client' },
          { name: 'axios', message: 'pure module: no HTTP client' },
          { name: 'undici', message: 'pure module: no HTTP client' },
        ],
        patterns: [
          { group: ['@aws-sdk/*'], allowTypeImports: true, message: 'pure module: AWS SDK types only, no client' },
          { group: ['**/adapters/**', '**/kube/kube-*', '**/kube/cluster-access*', '**/kube/load-kubeconfig*', '**/reconciler/**'], message: 'pure module: no adapters, kube clients or reconciler' },
        ],
      }],
      'no-restricted-globals': ['error', ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'queueMicrotask', 'process', 'fetch']
        .map((name) => ({ name, message: 'pure module: no timers, process or network; take what you need as a parameter' }))],
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'pure module: no clock; take `now` as a parameter' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'pure module: no clock; take `now` as a parameter' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'pure module: no randomness; take it as a parameter' },
      ],
    },
  },
  {
    // Tests: vitest's asymmetric matchers are typed `any`, and a scenario reads best as one long script.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off', complexity: 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { process: 'readonly', console: 'readonly', module: 'writable' } },
  },
);
