// Import cycles, type-only imports included (a type cycle still means two modules cannot be read apart),
// and shipped code importing test support. Runs in `npm run lint`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'Modules import each other, directly or through others: move the shared part into a module both import.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-test-support-in-product',
      severity: 'error',
      comment: 'Shipped code (src/, loadtester/src/, test files aside) imports no test support: fakes, fixtures and ' +
        'recording servers live under test/ and loadtester/test/, and the product must build without them.',
      from: { path: '^(src|loadtester/src)/', pathNot: '[.]test[.]ts$' },
      to: { path: '^(test|loadtester/test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
