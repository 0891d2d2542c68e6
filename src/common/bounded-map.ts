/**
 * Sets `key` as the map's newest entry and drops the oldest ones past `max`: a cache in memory
 * that cannot grow without bound (Maps iterate in insertion order).
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as K);
}
