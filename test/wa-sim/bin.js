#!/usr/bin/env node
// Runs the simulator's TypeScript CLI without a build step (tsx breaks Baileys' ESM resolution).
'use strict';
const path = require('node:path');

process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', '..', 'tsconfig.check.json');
require('@swc-node/register');
require('./cli.ts');
