/**
 * `forRoutes()` for middleware that runs on every request. Nest mounts `'/'` with Express's
 * `use()`, which matches every path without a pattern; `'{*path}'` compiles to a regexp whose
 * wildcard parameter is matched and decoded per middleware per request, ~15 % of a small
 * request's CPU (README "Small requests").
 */
export const EVERY_PATH = '/';
