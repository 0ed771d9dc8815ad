#!/usr/bin/env node
/** The `tars` executable. */
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2));
