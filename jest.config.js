// ESM jest with SWC (see ../shared/reference/stack-notes.md).
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

export default {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // CI runs the SQLite and MariaDB suites at once on 2 cores; a hook that builds two apps
  // took more than 30 s at a load average of 11.
  testTimeout: 60000,
  maxWorkers: 2,
  // ESM test files leave their module graphs behind in the worker (jest's vm modules are
  // not freed): the heap grows by 70-80 MB with each e2e file, and a worker reached 1.7 GB
  // over a run. Every major collection then marks all of it, and at the end of one run such
  // a worker was still busy (no handle open: a probe in the worker saw its main thread
  // blocked) when jest's grace period ran out, so jest force-exited it. A worker whose heap
  // passes 768 MB after a test file is replaced; one that still does not exit is killed
  // after 5 s.
  workerGracefulExitTimeout: 5000,
  workerIdleMemoryLimit: '768MB',
};
