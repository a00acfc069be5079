'use strict';
const { buildDashboardIfNeeded, buildIfNeeded, distEntry } = require('./build-if-needed');

buildIfNeeded();
buildDashboardIfNeeded();
require(distEntry('main'));
