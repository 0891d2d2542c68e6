import { hostname } from 'node:os';
import { AppConfig } from '../config/app-config';

/**
 * Names this server instance in the rows of its uploads in flight. It is stable across restarts
 * (host, port and data directory), so that a restarted instance knows the rows it finds under its
 * own name were left by its previous run, which died mid-upload; instances that share one
 * database (other hosts, other ports) never share a name.
 */
export function uploadInstanceId(config: AppConfig): string {
  return `${hostname()}:${config.port}:${config.dataDir}`.slice(0, 255);
}
