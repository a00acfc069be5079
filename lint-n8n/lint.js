// n8n's community-package lint, configured as @n8n/scan-community-package 0.32 configures it
// (scanner/scanner.mjs buildScanConfig): the community-nodes plugin's recommended rules, the
// n8n-nodes-base community / credentials / nodes rule sets and no-console, with inline
// eslint-disable comments ignored. It runs on its own eslint 9 (the plugin's peer) from this
// folder, over the repository root's package.json, nodes/ and credentials/ sources and, when
// built, their compiled dist/ output. server/, test/ and everything else are never listed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { defineConfig } from 'eslint/config';
import glob from 'fast-glob';
import tsParser from '@typescript-eslint/parser';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesPlugin from 'eslint-plugin-n8n-nodes-base';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const config = defineConfig(
  n8nCommunityNodesPlugin.configs.recommended,
  { rules: { 'no-console': 'error' } },
  { plugins: { 'n8n-nodes-base': n8nNodesPlugin } },
  { files: ['package.json'], rules: { ...n8nNodesPlugin.configs.community.rules } },
  {
    files: ['**/credentials/**/*.ts'],
    rules: {
      ...n8nNodesPlugin.configs.credentials.rules,
      'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
      'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
    },
  },
  {
    files: ['**/nodes/**/*.ts'],
    rules: {
      ...n8nNodesPlugin.configs.nodes.rules,
      'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
      'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
      'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
    },
  },
  { files: ['**/*.json'], languageOptions: { parser: tsParser } },
  { files: ['**/*.ts'], languageOptions: { parser: tsParser } },
);

// The scanner's source patterns, plus what `npm pack` would publish from dist/.
const patterns = ['package.json', '{nodes,credentials}/**/*.{js,ts,json}', 'dist/{nodes,credentials}/**/*.{js,json}'];
const files = await glob(patterns, { cwd: root, absolute: true, ignore: ['**/node_modules/**', '**/package-lock.json'] });

const eslint = new ESLint({ cwd: root, allowInlineConfig: false, overrideConfigFile: true, overrideConfig: config });
const results = await eslint.lintFiles(files);
const formatter = await eslint.loadFormatter('stylish');
const report = await formatter.format(results);
if (report) process.stdout.write(report);

const errors = results.reduce((sum, result) => sum + result.errorCount, 0);
const built = files.some((file) => file.startsWith(path.join(root, 'dist') + path.sep));
process.stdout.write(
  `n8n lint: ${files.length} files${built ? ' (sources and dist)' : ' (sources only: dist/ is not built)'}, ${errors} errors\n`,
);
process.exitCode = errors > 0 ? 1 : 0;
