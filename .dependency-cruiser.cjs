// The module map, checked by `npm run lint`. Feature folders depend on each other in one
// direction only; the platform below them (common, config, database, i18n, audit, accounts,
// sessions) never reaches up into a feature; the CSR policy engine stays pure.
const FEATURES = [
  'access',
  'csr',
  'nrens',
  'organisations',
  'people',
  'domains',
  'products',
  'keys',
  'requests',
  'certificates',
  'expiry',
  'approvals',
  'mail',
  'ca',
  'health',
  'federation',
  'openapi',
  'orders',
  'pages',
  'metrics',
];
const PLATFORM = ['common', 'config', 'database', 'i18n', 'audit', 'accounts', 'sessions'];
const folder = (names) => `^src/(${names.join('|')})$`;
const under = (names) => `^src/(${names.join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle-between-features',
      comment:
        'Feature folders depend downward only. A page that shows several features belongs in ' +
        'src/pages, above them; a helper two features share belongs below both.',
      severity: 'error',
      scope: 'folder',
      from: { path: folder(FEATURES) },
      to: { path: folder(FEATURES), circular: true },
    },
    {
      name: 'platform-below-features',
      comment:
        'The platform serves every feature and knows none of them. The entity list is the one ' +
        'place that names them all, as AppModule does for modules.',
      severity: 'error',
      from: { path: under(PLATFORM), pathNot: '^src/database/entities\\.ts$' },
      to: { path: under(FEATURES) },
    },
    {
      name: 'csr-stays-pure',
      comment:
        'src/csr is the policy engine: parsed facts and a context in, a verdict out. It knows ' +
        'neither Nest nor TypeORM nor the database; its callers hand it what it needs.',
      severity: 'error',
      from: { path: '^src/csr/' },
      to: { path: ['^node_modules/@nestjs/', '^node_modules/typeorm/', '^src/database/'] },
    },
    {
      name: 'every-folder-on-the-map',
      comment: 'A new top-level folder in src/ is placed in FEATURES or PLATFORM above.',
      severity: 'error',
      from: { path: '^src/' },
      to: {
        path: '^src/[^/]+/',
        pathNot: `${under([...FEATURES, ...PLATFORM])}`,
      },
    },
  ],
  options: {
    // The entity list names every feature on purpose (see platform-below-features); left out of
    // the folder graph, it would otherwise make every feature that uses the database a cycle.
    exclude: { path: ['^src/database/entities\\.ts$'] },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
