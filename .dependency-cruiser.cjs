/**
 * The house rules (docs/architecture.md, "Rules"), checked by `npm run lint:deps` in `npm test`.
 * Each rule names the layer it protects; a broken rule fails the test run with the import that
 * broke it.
 */
const FEATURES = '^server/src/(orders|links|payments|shops|webhooks|sessions|landing|presenters|live)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A cycle means two modules cannot be understood, tested or changed apart.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-imports-nothing-of-ours',
      comment: 'shared/ is used by the server and the mini program alike: it may import only itself.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(server|miniprogram|test|bench)/' },
    },
    {
      name: 'shared-is-pure',
      comment: 'shared/ runs in the mini program too: no Node, Express or Taro.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'miniprogram-imports-only-shared',
      comment: 'The mini program talks to the server over HTTP only.',
      severity: 'error',
      from: { path: '^miniprogram/' },
      to: { path: '^(server|test|bench)/' },
    },
    {
      name: 'store-never-imports-features',
      comment: 'Only the store talks SQL, and it knows nothing of the rules that use it.',
      severity: 'error',
      from: { path: '^server/src/store/' },
      to: { path: [FEATURES, '^server/src/(wechat|sandbox|http|composition|background|cli)/', '^server/src/app\\.ts$'] },
    },
    {
      name: 'wechat-is-a-leaf',
      comment: "Only wechat/ knows WeChat's wire formats; it must not reach into the store, features or the sandbox.",
      severity: 'error',
      from: { path: '^server/src/wechat/' },
      to: { path: [FEATURES, '^server/src/(store|sandbox|http|composition|background|cli)/', '^server/src/app\\.ts$'] },
    },
    {
      name: 'simulators-speak-only-the-protocol',
      comment: "The simulators stand in for WeChat's servers: they may use wechat/, the clock and ids, never our features or store.",
      severity: 'error',
      from: { path: '^server/src/sandbox/simulators/' },
      to: { path: [FEATURES, '^server/src/(store|sandbox/qa|http|composition|background|cli)/', '^server/src/app\\.ts$'] },
    },
    {
      name: 'features-never-import-the-sandbox',
      comment: 'Production code must not depend on the sandbox; the composition root mounts it.',
      severity: 'error',
      from: { path: [FEATURES, '^server/src/(store|wechat|http|background|config)/'] },
      to: { path: '^server/src/sandbox/' },
    },
    {
      name: 'features-never-import-the-composition-root',
      comment: 'The composition root sits above everything.',
      severity: 'error',
      from: { path: '^server/src/', pathNot: '^server/src/(composition|cli|sandbox/qa)/|^server/src/app\\.ts$' },
      to: { path: ['^server/src/composition/', '^server/src/app\\.ts$', '^server/src/cli/'] },
    },
    {
      name: 'orders-are-the-bottom-feature',
      comment: 'Features import each other only downward: payments -> links -> orders.',
      severity: 'error',
      from: { path: '^server/src/orders/' },
      to: { path: '^server/src/(links|payments)/' },
    },
    {
      name: 'links-never-import-payments',
      comment: 'Features import each other only downward: payments -> links -> orders.',
      severity: 'error',
      from: { path: '^server/src/links/' },
      to: { path: '^server/src/payments/' },
    },
    {
      name: 'live-is-below-payments',
      comment: 'Features import each other only downward: payments -> live (status in the chat) -> links -> orders.',
      severity: 'error',
      from: { path: '^server/src/(links|orders|sessions|webhooks)/' },
      to: { path: '^server/src/live/' },
    },
    {
      name: 'live-never-imports-payments',
      comment: 'Live status in the chat hears of money through the outboxes payments/ writes, never by calling into payments.',
      severity: 'error',
      from: { path: '^server/src/live/' },
      to: { path: '^server/src/payments/' },
    },
    {
      name: 'presenters-are-below-features',
      comment: 'Presenters turn records into answers; they import only records and shared/.',
      severity: 'error',
      from: { path: '^server/src/presenters/' },
      to: { path: FEATURES, pathNot: '^server/src/presenters/' },
    },
    {
      name: 'http-is-only-middleware',
      comment: 'http/ is the middleware library; mounting features is the composition root\'s job.',
      severity: 'error',
      from: { path: '^server/src/http/' },
      to: { path: FEATURES },
    },
    {
      name: 'config-reads-no-http',
      comment: 'Configuration is read once at the bottom; it depends on no layer above it.',
      severity: 'error',
      from: { path: '^server/src/config/' },
      to: { path: [FEATURES, '^server/src/(http|store|sandbox|background)/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.json'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
