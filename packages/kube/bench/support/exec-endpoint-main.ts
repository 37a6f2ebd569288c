/**
 * The volume copy benchmark's mover pods, in a process of their own so the bytes they generate and
 * hash never count in the copying process's memory. Argument: volume size in bytes, and `slow` for
 * a target that reads only while the source cannot send. Talks to its parent over IPC: sends
 * `{ kubeconfig }` once listening, answers `'stats'` with the endpoint's stats.
 */
import { startExecEndpoint } from '../../test/support/exec-endpoint.ts';

const volumeBytes = Number(process.argv[2]);
if (!Number.isSafeInteger(volumeBytes) || volumeBytes < 0)
  throw new Error(`bad volume size: ${process.argv[2]}`);
if (!process.send) throw new Error('start me with fork(): the benchmark talks to me over IPC');
const endpoint = await startExecEndpoint({ volumeBytes, slowTarget: process.argv[3] === 'slow' });
process.send({ kubeconfig: endpoint.kubeconfig });
process.on('message', (m) => {
  if (m === 'stats') process.send?.({ stats: endpoint.stats() });
});
process.on('disconnect', () => void endpoint.close().then(() => process.exit(0)));
