const path = require('node:path');
const { src, dest } = require('gulp');

/** Copies node and credential icons, and the nodes' codex files (X.node.json), next to their compiled code in dist/. */
function buildIcons() {
  const nodeAssets = path.resolve('nodes', '**', '*.{png,svg,json}');
  const credentialIcons = path.resolve('credentials', '**', '*.{png,svg}');
  src(nodeAssets, { allowEmpty: true, encoding: false }).pipe(dest(path.resolve('dist', 'nodes')));
  return src(credentialIcons, { allowEmpty: true, encoding: false }).pipe(dest(path.resolve('dist', 'credentials')));
}

exports['build:icons'] = buildIcons;
