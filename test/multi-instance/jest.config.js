// Two instances of the built server (dist/main.js) on one MariaDB or PostgreSQL, one Redis and
// one s3rver. Run with `npm run test:multi-instance` when DB_TYPE=mysql or postgres and REDIS_URL
// are set (CI does both);
// not part of `npm test`, because it needs those services and a build.
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'multi-instance',
  rootDir: '../..',
  testMatch: ['<rootDir>/test/multi-instance/**/*.multi-spec.ts'],
  transform: require('../jest.transform'),
  testEnvironment: 'node',
  testTimeout: 60000,
};
