// Shared mocha config: TypeScript runs through tsx (esbuild), no type-check at test time (tsc -b does that).
// The `source` export condition points workspace packages at their src/, so the unit loop needs no build.
module.exports = {
  'node-option': ['import=tsx', 'conditions=source'],
  extension: ['ts'],
  recursive: true,
  timeout: 20000,
  reporter: 'dot',
  'forbid-only': true,
  'forbid-pending': true,
};
