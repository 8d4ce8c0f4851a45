// Import cycles, type-only imports included (a type cycle still means two modules cannot be read apart),
// shipped code importing test support, and one provider's folder importing another's. Runs in `npm run lint`.
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
    {
      name: 'no-cross-provider',
      severity: 'error',
      comment: 'A provider folder under src/routers/ uses the shared modules beside it, never another provider\'s ' +
        'folder: what two providers share moves up into src/routers/.',
      from: { path: '^src/routers/([^/]+)/' },
      to: { path: '^src/routers/[^/]+/', pathNot: '^src/routers/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
