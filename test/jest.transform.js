// The one TypeScript transform every jest project uses: ts-jest, transpiling each file on its own
// (tsconfig.jest.json sets isolatedModules); type errors are tsc's job (`npm run typecheck`).
// ts-jest rather than @swc/jest: npm leaves swc's platform binaries out of the lock file, which
// breaks `npm ci`.
module.exports = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
};
