// The fault-injection suite: the app against servers of its own (PostgreSQL, MariaDB, a TCP
// proxy, a tiny tmpfs) that the tests freeze, kill, cut off and fill up. Run with
// `npx jest -c test/faults/jest.config.js`; not part of `npm test`, because it needs root (to run
// postgres as its user, to mount tmpfs) and the PostgreSQL and MariaDB server binaries.
// One worker: every suite starts database servers, and several at once would only compete for CPU
// and make the timeouts that the tests measure unreliable.
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'faults',
  rootDir: '../..',
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  transform: require('../jest.transform'),
  testEnvironment: 'node',
  testTimeout: 120000,
  maxWorkers: 1,
};
