// `npm test`: unit specs next to the code, and e2e specs against the real app (SQLite + local disk
// unless the environment names MySQL, Redis or S3). Browser and multi-instance suites have their
// own configs under test/.
const transform = require('./test/jest.transform');

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  projects: [
    { displayName: 'unit', rootDir: '.', testMatch: ['<rootDir>/src/**/*.spec.ts'], transform, testEnvironment: 'node' },
    { displayName: 'e2e', rootDir: '.', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'], transform, testEnvironment: 'node' },
  ],
};
