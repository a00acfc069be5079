/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  testTimeout: 30000,
  // Two workers on two cores: most suites spend their time waiting on sockets, child processes and the
  // database rather than computing, so the suite takes about half as long (one worker: ~9.5 min).
  maxWorkers: 2,
};
