'use strict';
// Runs a gateway command (migrate, user-create) from the compiled build.
const { buildIfNeeded, distEntry } = require('./build-if-needed');

buildIfNeeded();
require(distEntry('cli'));
