#!/usr/bin/env node
'use strict';
// The operator CLI (`baileys-api <command>`, see `baileys-api --help`), run from the compiled build.
const { buildIfNeeded, distEntry } = require('./build-if-needed');

buildIfNeeded();
require(distEntry('cli'));
