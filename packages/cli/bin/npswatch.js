#!/usr/bin/env node
// Thin shim so the published bin stays stable while the implementation lives in dist/.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
