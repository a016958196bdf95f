import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The dependency direction of shared/DESIGN.md ("Layout"), enforced per directory. Imports are
 * matched as written (relative specifiers), so each rule is stated for the depth of its files.
 */
const layer = (files, patterns) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', 'coverage/', 'test/artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // random/ imports nothing of ours (npm packages and node: built-ins only).
  layer(
    ['src/random/**/*.ts'],
    [{ regex: '^\\.\\./', message: 'src/random/ imports nothing of ours (DESIGN.md, Layout).' }],
  ),
  // stats/ imports only stats/ and random/ (and npm packages).
  layer(
    ['src/stats/*.ts'],
    [
      {
        regex: '^\\.\\./(?!random/)',
        message: 'src/stats/ imports only src/stats/ and src/random/ (DESIGN.md, Layout).',
      },
    ],
  ),
  layer(
    ['src/stats/*/**/*.ts'],
    [
      {
        regex: '^\\.\\./\\.\\./(?!random/)',
        message: 'src/stats/ imports only src/stats/ and src/random/ (DESIGN.md, Layout).',
      },
    ],
  ),
  // report/ formats what results.json holds: its own files, the results types (type-only), and
  // two leaf modules it already used, errors.ts (UsageError for a missing template or browser)
  // and package-info.ts (where templates/ is found).
  layer(
    ['src/report/**/*.ts'],
    [
      {
        regex: '^\\.\\./results\\.js$',
        allowTypeImports: true,
        message: 'src/report/ imports results types only (`import type`): it never recomputes.',
      },
      {
        regex: '^\\.\\./(?!results\\.js$|errors\\.js$|package-info\\.js$)',
        message:
          'src/report/ imports only its own files and the results types (DESIGN.md, Layout).',
      },
    ],
  ),
);
