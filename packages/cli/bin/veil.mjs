#!/usr/bin/env node
// Entry point for the installed `veil` command: the packages ship TypeScript sources, so load tsx first.
import { register } from 'tsx/esm/api';
register();
await import('../src/bin.ts');
