import { setFlagsFromString } from 'node:v8';

/**
 * Imported first by main.ts, before any module of the app is loaded. V8 grows the young
 * generation up to 16 MiB semi-spaces when allocation is brisk (start-up, and every transfer
 * allocates a 64 KiB socket buffer per read); the dead buffers' memory then waits for a scavenge,
 * and RSS carries ~30 MB at idle and ~35 MB more during a transfer. Keeping the semi-spaces at
 * their initial size (as `--max-semi-space-size=1` would, but from inside the process, so that
 * `node dist/main.js` needs no flag) keeps the server under 150 MB with throughput unchanged
 * (README "Benchmark").
 */
setFlagsFromString('--semi-space-growth-factor=1');
