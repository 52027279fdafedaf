/** @type {import('next').NextConfig} */
const nextConfig = {
  // pg and the Prisma driver adapter are Node libraries; keep them out of the bundle.
  serverExternalPackages: ["pg", "@prisma/adapter-pg"],
  poweredByHeader: false,
  // Tests build into their own folder so a developer's `next dev` and a test run never share one.
  distDir: process.env.NEXT_DIST_DIR || ".next",
};

export default nextConfig;
