// Remix v2, classic compiler (not Vite). `npm run build:app` writes build/ (server) and public/build/ (browser).
/** @type {import('@remix-run/dev').AppConfig} */
export default {
  appDirectory: 'app',
  assetsBuildDirectory: 'public/build',
  publicPath: '/build/',
  serverBuildPath: 'build/index.js',
  serverModuleFormat: 'esm',
  serverPlatform: 'node',
  ignoredRouteFiles: ['**/.*', '**/*.test.*'],
  // Every flag the build warns about (issue 15): single fetch runs one request's loaders in one HTTP request, so a
  // revalidation verifies the agent once (requireAgent memoizes per load context).
  future: {
    v3_fetcherPersist: true,
    v3_lazyRouteDiscovery: true,
    v3_relativeSplatPath: true,
    v3_singleFetch: true,
    v3_throwAbortReason: true,
  },
};
