// Type-aware lint: worker code is all async, and a lost promise is a lost job.
// Structure is guarded here too: no import cycles (within or between packages) and no reaching
// into another package's `src/` internals — a package is used through its entry point only.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** Deep imports: another package's or service's `src/` reached by path instead of its entry points (`exports` in its package.json). */
export const deepImportPatterns = [
  {
    group: ['**/packages/*/src/**', '**/services/*/src/**', '@steward/*/src/**'],
    message: "Import another package through its entry point ('@steward/<name>'), not its src/ internals.",
  },
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '.tools/**',
      '.tmp/**',
      'dist/**',
      'coverage/**',
      'test-results/**',
      'packages/channels/public/**',
      'services/ingress/public/**',
      // Fixtures that must fail lint: test/infra/lint-rules.test.ts lints them on purpose.
      'test/infra/lint-fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ alwaysTryTypes: true, project: 'tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-restricted-imports': ['error', { patterns: deepImportPatterns }],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
