// The browser suite: real headless Chromium against the real app. Run with `npm run test:browser`;
// not part of `npm test`, because it needs /usr/bin/chromium.
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'browser',
  rootDir: '../..',
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  transform: require('../jest.transform'),
  testEnvironment: 'node',
  testTimeout: 60000,
};
