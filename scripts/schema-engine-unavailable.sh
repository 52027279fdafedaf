#!/bin/sh
# Stand-in for Prisma's native schema engine, used only while `prisma generate` runs
# (see scripts/prisma-generate.mjs). Generate never starts the engine; anything else that
# reaches this stub must not pretend to have migrated.
echo "cronbound: Prisma's schema engine is not installed here; migrations are applied by 'npm run db:migrate'." >&2
exit 1
