#!/usr/bin/env node
// The `cronbound` command. A committed launcher rather than dist/cli/main.js itself: npm links
// a package's bin when it installs it, which in this repository is before the package is built
// (the root's postinstall builds it), and npm skips a bin whose file does not exist yet.
import "../dist/cli/main.js";
