const development = process.env.NODE_ENV === "development";

// Security headers on every response (docs/SECURITY.md). The Content-Security-Policy allows
// scripts and styles from this origin only, plus inline ones: Next's bootstrap and the
// dashboard's stylesheet are inline (a nonce would need middleware on every request and make
// every page dynamic). No framing (clickjacking on the dashboard's buttons), no plugins, forms
// and <base> on this origin only. `next dev` adds eval (React Refresh) and its HMR websocket.
const csp = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${development ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  `connect-src 'self'${development ? " ws: wss:" : ""}`,
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = [
  { key: "Content-Security-Policy", value: csp },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
];

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
  async headers() {
    return [{ source: "/:path*", headers: SECURITY_HEADERS }];
  },
};

export default nextConfig;
