import { hostname } from 'node:os';
import { AppConfig } from '../config/app-config';

/**
 * Names this server instance in the rows of its uploads in flight. It is stable across restarts
 * (host, port and data directory), so that a restarted instance knows the rows it finds under its
 * own name were left by its previous run, which died mid-upload; instances that share one
 * database (other hosts, other ports) never share a name.
 */
export function uploadInstanceId(config: AppConfig): string {
  // PORT=0 lets several instances on one host share everything else: only the process tells
  // them apart, and a previous run's rows are then left to the staleness rule.
  const where = config.port === 0 ? `pid${process.pid}` : String(config.port);
  return `${hostname()}:${where}:${config.dataDir}`.slice(0, 255);
}
