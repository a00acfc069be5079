'use strict';
const { buildIfNeeded, distEntry } = require('./build-if-needed');

buildIfNeeded();
require(distEntry('main'));
