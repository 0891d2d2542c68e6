// The browser suite: real headless Chromium against the real app. Run with `npm run test:browser`;
// not part of `npm test`, because it needs /usr/bin/chromium.
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'browser',
  rootDir: '../..',
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
      },
    ],
  },
  testEnvironment: 'node',
  testTimeout: 60000,
};
