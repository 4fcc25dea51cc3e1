// ESLint: typescript-eslint's type-aware recommended rules over the whole project, and the React
// hooks rules over the mini program. Run by `npm run lint` (part of `npm test`).
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'miniprogram/dist/**', 'data/**', 'coverage/**', '**/*.js', '**/*.cjs', '**/*.mjs', '**/*.mts'],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Unused names are already errors in tsc (noUnusedLocals/Parameters); `_name` marks a deliberate one.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The server's code (not its OpenAPI schemas, built once at start): no object literal that
    // starts with a spread and goes on with properties. On Node 20 (V8 11.3) objects built as
    // `{ ...source, more }` outlive their request in the young generation: each one survived
    // the scavenges and was promoted, and the old space filled until a mark-compact stopped the
    // server (bench/README.md, "Seventh pass"). `Object.assign({}, source, { more })`, a
    // literal written out, or the spread after the properties leave nothing behind.
    files: ['server/src/**/*.ts', 'shared/**/*.ts'],
    ignores: ['server/src/docs/**'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: 'ObjectExpression:has(> SpreadElement:first-child):has(> Property)',
        message: 'An object literal that starts with a spread and goes on with properties outlives its request on Node 20: use Object.assign({}, source, { ... }) or write the literal out (bench/README.md, "Seventh pass").',
      }],
    },
  },
  {
    // The mini program's tests are type-checked with the mini program's tsconfig (its `@shared` alias).
    files: ['test/miniprogram/**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: false, project: './miniprogram/tsconfig.json', tsconfigRootDir: import.meta.dirname } },
  },
  {
    files: ['miniprogram/src/**/*.{ts,tsx}', 'test/miniprogram/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
);
