#!/usr/bin/env node
// Entry point of the `reflector` command. The sources are TypeScript, loaded through tsx so that the
// same files run in development, in tests and in the containers without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
await main(process.argv.slice(2));
