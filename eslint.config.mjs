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
