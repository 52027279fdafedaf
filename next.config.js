/** @type {import('next').NextConfig} */
const nextConfig = {
  // pg and the Prisma driver adapter are Node libraries; keep them out of the bundle.
  serverExternalPackages: ["pg", "@prisma/adapter-pg"],
  poweredByHeader: false,
  // The build type-checks the app only; `npm run typecheck` (run by .ci/run) checks tests, bench
  // and scripts too. A type error in a test must not break a deploy.
  typescript: { tsconfigPath: "tsconfig.app.json" },
  // Tests build into their own folder so a developer's `next dev` and a test run never share one.
  distDir: process.env.NEXT_DIST_DIR || ".next",
};

export default nextConfig;
