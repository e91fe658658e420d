// Shared mocha config: TypeScript runs through tsx (esbuild), no type-check at test time (tsc -b does that).
module.exports = {
  'node-option': ['import=tsx'],
  extension: ['ts'],
  recursive: true,
  timeout: 20000,
  reporter: 'dot',
  'forbid-only': true,
  'forbid-pending': true,
};
