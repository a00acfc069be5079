#!/usr/bin/env bash
# npm run lint:n8n — n8n's community-package lint on its own eslint 9 install (this folder):
# installs it when its lockfile changed, builds dist/ so the compiled JS is linted too, then lints.
set -euo pipefail
cd "$(dirname "$0")"
if ! cmp -s package-lock.json node_modules/.installed-package-lock.json; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.installed-package-lock.json
fi
cd ..
npm run build:nodes --silent
node lint-n8n/lint.js
