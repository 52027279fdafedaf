import { defineConfig } from "prisma/config";

// Prisma 7 reads the connection URL from here, not from schema.prisma, and does not load
// `.env` by itself. `generate` needs no URL; `prisma migrate deploy` (the Vercel build) does.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DIRECT_DATABASE_URL || process.env.DATABASE_URL || "" },
});
