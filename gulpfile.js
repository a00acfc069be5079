const path = require('node:path');
const { src, dest } = require('gulp');

/** Copies node and credential icons next to their compiled code in dist/. */
function buildIcons() {
  const nodeIcons = path.resolve('nodes', '**', '*.{png,svg}');
  const credentialIcons = path.resolve('credentials', '**', '*.{png,svg}');
  src(nodeIcons, { allowEmpty: true, encoding: false }).pipe(dest(path.resolve('dist', 'nodes')));
  return src(credentialIcons, { allowEmpty: true, encoding: false }).pipe(dest(path.resolve('dist', 'credentials')));
}

exports['build:icons'] = buildIcons;
